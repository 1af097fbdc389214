"""``/public/{org}/lookup``: the right number and phone tail show the state, the dates and the
answer and nothing else; a wrong pair, an unknown number and another organisation's number answer
alike; lookups are limited per number and per IP on GET and POST; what staff wrote is escaped; the
complainant rates the feedback once (a 差评 sends the case back) and adds one 追评."""

from __future__ import annotations

import datetime as dt
import re

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import handlers.web.public
from bot.runtime.resources import RESOURCES, Resources
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.cards import CardInstance
from models.complaint_feedback import ComplaintFeedback, RatingSource, Satisfaction, Solved
from models.complaints import Complaint, ComplaintState
from models.enums import Action, CardKind, MatterState, RefusalCategory
from models.matter import Matter
from tests.support.complaint_feedback import reported_complaint
from tests.support.console import HTML, Client, ConsoleOrg, make_matter

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def public_app(resources: Resources) -> web.Application:
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, resources.settings)
    handlers.web.public.setup_routes(app)
    return app


async def _client(resources: Resources) -> Client:
    client = TestClient(TestServer(public_app(resources)))
    await client.start_server()
    return client


async def _look_up(client: Client, number: str, phone: str, org: str = "tc") -> tuple[int, str]:
    page = await (await client.get(f"/public/{org}/lookup", headers=HTML)).text()
    token = CSRF.search(page)
    assert token, page
    response = await client.post(f"/public/{org}/lookup", data={"number": number, "phone": phone,
                                                                "csrf": token.group(1)}, headers=HTML)  # fmt: skip
    return response.status, await response.text()


async def _refused_matter(corg: ConsoleOrg, now: dt.datetime) -> Matter:
    matter = await make_matter(corg, corg.yunzheng, submitted_at=now - dt.timedelta(days=4), due_at=now,
                               state=MatterState.REFUSED, level=4, outcome=Action.CONFIRM_NO)  # fmt: skip
    await Matter.filter(id=matter.id).update(
        applicant_phone="139 0000 5678", decision_text="不符合《道路运输条例》第二十二条<script>x()</script>",
        way_forward="补齐车辆技术等级证明后重新申请", refusal_category=RefusalCategory.LAW,
        decided_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    return await Matter.get(id=matter.id)


def _same_shape(text: str, number: str) -> str:
    """The page without what differs for any visitor anyway: the CSRF token and the echoed number."""
    return CSRF.sub("csrf", text).replace(f'value="{number}"', 'value="NUMBER"')


async def test_the_right_pair_shows_the_answer_of_a_refused_matter_and_nothing_else(
    resources: Resources, corg: ConsoleOrg
) -> None:
    matter = await _refused_matter(corg, resources.clock.now())
    client = await _client(resources)
    try:
        status, text = await _look_up(client, matter.number.lower(), "5678")
    finally:
        await client.close()
    assert status == 200
    assert "确认不能办" in text and "运政股" in text and "补齐车辆技术等级证明后重新申请" in text
    assert "&lt;script&gt;x()&lt;/script&gt;" in text and "<script>x()" not in text
    for private in (
        "张三",
        "刘先生",
        "5678",
        "申请办理道路运输证",
        "材料不全",
    ):  # staff, applicant, phone, request
        assert private not in text


async def test_a_wrong_pair_and_another_organisations_number_answer_like_an_unknown_number(
    resources: Resources, corg: ConsoleOrg
) -> None:
    matter = await _refused_matter(corg, resources.clock.now())
    theirs = await Matter.create(**{**{k: getattr(matter, k) for k in ("year", "seq", "applicant", "subject",
        "reason", "state", "level", "submitted_at", "due_at")}, "organisation_id": corg.other.id,
        "number": "TJ-2026-0777", "unit_id": matter.unit_id, "department_id": matter.department_id,
        "submitter_id": matter.submitter_id, "applicant_phone": "13900005678"})  # fmt: skip
    complaint = await reported_complaint(resources, corg)
    client = await _client(resources)
    try:
        unknown = await _look_up(client, "TJ-2026-0999", "5678")
        answers = [unknown, await _look_up(client, matter.number, "1234"),
                   await _look_up(client, theirs.number, "5678"), await _look_up(client, complaint.number, "5678")]  # fmt: skip
        numbers = ["TJ-2026-0999", matter.number, theirs.number, complaint.number]
    finally:
        await client.close()
    assert {status for status, _ in answers} == {404}
    shapes = {_same_shape(text, number) for (_, text), number in zip(answers, numbers, strict=True)}
    assert len(shapes) == 1, "a wrong pair told itself apart from an unknown number"
    assert "没有查到匹配的记录" in shapes.pop()


async def test_lookups_of_one_number_are_limited_on_get_as_well_as_post(
    resources: Resources, corg: ConsoleOrg
) -> None:
    resources.settings.public_lookups_per_number_hour = 3
    matter = await _refused_matter(corg, resources.clock.now())
    client = await _client(resources)
    try:
        for _ in range(2):
            assert (await client.get(f"/public/tc/lookup?number={matter.number}&phone=0000")).status == 404
        assert (await _look_up(client, matter.number, "0001"))[0] == 404
        status, text = await _look_up(client, matter.number, "5678")  # the right pair, past the limit
        assert status == 429 and "查询太频繁" in text and "补齐车辆" not in text
        assert (await client.get(f"/public/tc/lookup?number={matter.number}&phone=5678")).status == 429
        for _ in range(3):  # an unknown number is limited just the same
            await client.get("/public/tc/lookup?number=TJ-2026-0999&phone=5678")
        assert (await client.get("/public/tc/lookup?number=TJ-2026-0999&phone=5678")).status == 429
    finally:
        await client.close()


async def test_lookups_from_one_address_are_limited_on_get_and_post(
    resources: Resources, corg: ConsoleOrg
) -> None:
    resources.settings.public_lookups_per_ip_hour = 4
    client = await _client(resources)
    try:
        statuses = [
            (await client.get(f"/public/tc/lookup?number=TS-2026-{n:04d}&phone=1234")).status for n in (1, 2)
        ]
        statuses.append(
            (await _look_up(client, "TS-2026-0003", "1234"))[0]
        )  # a GET of the form, then the POST
        assert statuses == [404, 404, 404]
        assert (await client.get("/public/tc/lookup", headers=HTML)).status == 429
        assert (await client.post("/public/tc/lookup", data={"number": "TS-2026-0004"})).status == 429
    finally:
        await client.close()


async def test_malformed_input_and_unknown_organisations_are_answered_in_chinese(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await _client(resources)
    try:
        status, text = await _look_up(client, "<script>alert(1)</script>", "12")
        assert status == 400 and "请填写事项编号" in text
        assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
        assert (await _look_up(client, "TS-2026-0001", "12ab"))[0] == 400
        response = await client.get("/public/nope/lookup", headers=HTML)
        assert response.status == 404 and "没有这个单位" in await response.text()
        no_csrf = await client.post("/public/tc/lookup", data={"number": "TS-2026-0001", "phone": "1234"},
                                    headers=HTML)  # fmt: skip
        assert no_csrf.status == 403
    finally:
        await client.close()


async def test_the_complainant_rates_the_feedback_and_a_bad_rating_sends_the_case_back(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await reported_complaint(resources, corg, summary="已补办<img src=x onerror=alert(1)>")
    cards = await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id).count()
    client = await _client(resources)
    try:
        status, text = await _look_up(client, complaint.number, "1234")
        assert status == 200 and "已反馈，待评价" in text and "评价本次办理" in text
        assert "&lt;img src=x" in text and "<img src=x" not in text
        token = CSRF.search(text)
        assert token
        form = {"number": complaint.number, "csrf": token.group(1), "solved": "no"}
        refused = await client.post("/public/tc/lookup/rate", data={**form, "satisfaction": "dissatisfied"})
        assert refused.status == 400 and "差评请说明不满意的原因" in await refused.text()
        rated = await client.post("/public/tc/lookup/rate",
                                  data={**form, "satisfaction": "dissatisfied", "comment": "证还是没拿到"})  # fmt: skip
        assert rated.status == 200
        page = await rated.text()
        assert "感谢您的评价" in page and "发回重办" in page and "证还是没拿到" in page
        again = await client.post("/public/tc/lookup/rate", data={**form, "satisfaction": "satisfied"})
        assert again.status == 400  # rated once; nothing changes
        added = await client.post("/public/tc/lookup/follow-up", data={**form, "follow_up": "希望尽快"})
        assert added.status == 200 and "希望尽快" in await added.text()
        assert (
            await client.post("/public/tc/lookup/follow-up", data={**form, "follow_up": "再说"})
        ).status == 400
    finally:
        await client.close()
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert (feedback.satisfaction, feedback.solved, feedback.rating_source) == (
        Satisfaction.DISSATISFIED, Solved.NO, RatingSource.COMPLAINANT)  # fmt: skip
    assert feedback.follow_up == "希望尽快" and feedback.rework_reason == "证还是没拿到"
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.REOPENED
    assert await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id).count() == cards + 1


async def test_rating_needs_a_lookup_of_that_number_in_this_session(
    resources: Resources, corg: ConsoleOrg
) -> None:
    complaint = await reported_complaint(resources, corg)
    client = await _client(resources)
    try:
        page = await (await client.get("/public/tc/lookup", headers=HTML)).text()
        token = CSRF.search(page)
        assert token
        response = await client.post("/public/tc/lookup/rate", data={
            "number": complaint.number, "csrf": token.group(1), "satisfaction": "satisfied", "solved": "yes"})  # fmt: skip
        assert response.status == 403 and "重新输入编号" in await response.text()
    finally:
        await client.close()
    assert (await ComplaintFeedback.get(complaint_id=complaint.id)).rated_at is None


async def test_behind_the_proxy_each_client_address_has_its_own_limit(
    resources: Resources, corg: ConsoleOrg
) -> None:
    resources.settings.public_lookups_per_ip_hour = 2
    resources.settings.forwarded_for_hops = 1
    client = await _client(resources)
    try:
        one = {"X-Forwarded-For": "10.0.0.1"}
        spoofed = {"X-Forwarded-For": "1.2.3.4, 10.0.0.1"}  # the client's own entry is not believed
        statuses = [
            (await client.get("/public/tc/lookup", headers={**HTML, **h})).status for h in (one, spoofed, one)
        ]
        assert statuses == [200, 200, 429]
        assert (
            await client.get("/public/tc/lookup", headers={**HTML, "X-Forwarded-For": "10.0.0.2"})
        ).status == 200
    finally:
        await client.close()
