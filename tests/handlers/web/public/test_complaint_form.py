"""``/public/{org}/complaint``: a visitor without an account complains and gets a TS-… receipt;
required fields are named in Chinese beside the field and nothing is stored; a flood is stopped per
IP and per phone; a bot (honeypot filled, sent too fast, no or a forged stamp) gets the same receipt
page and nothing is stored; what a visitor typed is shown escaped; odd bodies are a 4xx."""

from __future__ import annotations

import io
import re

from bot.clock import SimClock
from bot.runtime.resources import Resources
from models.complaints import Complaint, ComplaintChannel, ComplaintState
from models.messaging import OutboxMessage
from tests.support.console import HTML, ConsoleOrg, make_matter
from tests.support.public import GOOD, FormVisit, public_client

RECEIPT = re.compile(r'class="receipt number">(TS-\d{4}-\d{4})<')
FORM_TYPE = "application/x-www-form-urlencoded"
XSS = '<script>alert("x")</script>'


async def test_a_visitor_complains_and_sees_the_receipt_number(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open("/public/tc")  # the form at the end of the public page
        status, text = await visit.send(company="桐城运输公司")
        again = await client.get("/public/tc/complaint/received", headers=HTML)  # a reload sends nothing
    finally:
        await client.close()
    assert status == 200 and "您的投诉已收到" in text
    match = RECEIPT.search(text)
    assert match and 'href="/public/tc/lookup"' in text
    complaint = await Complaint.get(number=match.group(1))
    assert complaint.organisation_id == porg.organisation.id
    assert complaint.channel is ComplaintChannel.WEB_FORM and complaint.state is ComplaintState.REGISTERED
    assert (complaint.complainant, complaint.phone, complaint.company) == (
        "刘先生",
        "13800000000",
        "桐城运输公司",
    )
    assert again.status == 200 and await Complaint.all().count() == 1
    (told,) = await OutboxMessage.filter(group_id__isnull=False)  # the office group, to triage it
    assert complaint.number in told.payload["markdown"] and "刘先生" not in told.payload["markdown"]


async def test_a_related_matter_of_this_bureau_is_linked_and_an_unknown_one_kept_in_the_text(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    now = clock.now()
    matter = await make_matter(porg, porg.yunzheng, submitted_at=now, due_at=now)
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        _, first = await visit.send(matter=matter.number.lower())
        await visit.open()
        _, second = await visit.send(matter="TJ-2020-0999")
    finally:
        await client.close()
    linked, unknown = await Complaint.all().order_by("id")
    assert linked.matter_id == matter.id
    assert unknown.matter_id is None and "TJ-2020-0999" in unknown.content
    assert "您的投诉已收到" in first and "您的投诉已收到" in second  # the page never tells


async def test_missing_and_wrong_fields_are_named_beside_each_field_and_nothing_is_stored(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        status, text = await visit.send(
            {"complainant": " ", "phone": "12ab", "content": "", "matter": "第三件"}
        )
        long_status, long_text = await visit.send({**GOOD, "content": "长" * 2001, "complainant": "名" * 51})
    finally:
        await client.close()
    assert status == 400
    assert 'id="complainant-error">请填写您的姓名<' in text
    assert 'id="phone-error">联系电话格式不对' in text
    assert 'id="content-error">请填写反映的问题<' in text
    assert 'id="matter-error">事项编号格式不对' in text
    assert 'value="12ab"' in text  # what was typed stays in the form
    assert long_status == 400 and "反映的问题最多 2000 个字，现在有 2001 个字" in long_text
    assert "您的姓名最多 50 个字" in long_text
    assert await Complaint.all().count() == 0


async def test_what_a_visitor_typed_is_shown_escaped_in_every_field(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        fields = {"complainant": XSS, "phone": XSS, "company": XSS, "content": XSS, "matter": XSS}
        status, text = await visit.send(fields)
    finally:
        await client.close()
    assert status == 400  # the phone and the matter number are no such things
    assert "<script>alert" not in text
    assert text.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == len(fields)


async def test_a_filled_honeypot_gets_the_same_receipt_and_stores_nothing(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        status, text = await visit.send(website="http://spam.example")
    finally:
        await client.close()
    assert status == 200 and "您的投诉已收到" in text and RECEIPT.search(text)
    assert await Complaint.all().count() == 0 and await OutboxMessage.all().count() == 0


async def test_a_form_sent_too_fast_or_without_a_true_stamp_gets_the_receipt_and_stores_nothing(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        fast = await visit.send(wait=1)  # the minimum is 3 seconds
        seconds, _, _ = visit.stamp.partition(".")
        forged = await visit.send(started=f"{int(seconds) - 600}.{'0' * 32}")
        missing = await visit.send(started="")
    finally:
        await client.close()
    for status, text in (fast, forged, missing):
        assert status == 200 and "您的投诉已收到" in text
    assert await Complaint.all().count() == 0


async def test_a_stamp_from_another_session_does_not_pass(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    first, second = await public_client(resources), await public_client(resources)
    try:
        one, two = FormVisit(first, clock), FormVisit(second, clock)
        await one.open()
        await two.open()
        status, _ = await two.send(started=one.stamp)
    finally:
        await first.close()
        await second.close()
    assert status == 200 and await Complaint.all().count() == 0


async def test_one_ip_may_send_five_complaints_an_hour(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    resources.settings.forwarded_for_hops = 1  # behind deploy/'s nginx: its address counts
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        for n in range(5):
            await visit.open()
            status, _ = await visit.send(phone=f"1380000000{n}")
            assert status == 200
        await visit.open()
        status, text = await visit.send(phone="13900000009")
        await visit.open()
        other_ip, _ = await visit.send(phone="13900000009", headers={"X-Forwarded-For": "203.0.113.7"})
    finally:
        await client.close()
    assert status == 429 and "同一网络每小时最多提交 5 件投诉" in text and "0556-1234567" in text
    assert 'value="13900000009"' in text  # the text typed is not lost
    assert other_ip == 200 and await Complaint.all().count() == 6


async def test_one_phone_may_send_three_complaints_a_day_from_anywhere(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    resources.settings.forwarded_for_hops = 1  # behind deploy/'s nginx: its address counts
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        for n in range(3):
            await visit.open()
            status, _ = await visit.send(headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert status == 200
        await visit.open()
        status, text = await visit.send(phone="138-0000 0000", headers={"X-Forwarded-For": "198.51.100.9"})
    finally:
        await client.close()
    assert status == 429 and "这个联系电话今天已提交 3 件投诉" in text
    assert await Complaint.all().count() == 3


async def test_a_post_without_the_csrf_token_is_refused(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        status, text = await visit.send(csrf="wrong")
    finally:
        await client.close()
    assert status == 403 and "页面已过期" in text and await Complaint.all().count() == 0


async def test_odd_bodies_are_a_4xx_in_chinese_not_a_500(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        url = "/public/tc/complaint"
        broken = await client.post(url, data=b"--x\r\nbroken", headers={**HTML,
                                   "Content-Type": "multipart/form-data; boundary=x"})  # fmt: skip
        broken_text = await broken.text()
        body = io.BytesIO(f"csrf={visit.csrf}&content=".encode() + b"%E9%95%BF" * 200_000)
        huge = await client.post(url, data=body, headers={**HTML, "Content-Type": FORM_TYPE})
        bad_utf8 = await client.post(url, data=b"csrf=" + visit.csrf.encode() + b"&content=%ff%fe",
                                     headers={**HTML, "Content-Type": FORM_TYPE})  # fmt: skip
        nul = await visit.send(content="内容\x00", complainant="%ED%A0%80")
    finally:
        await client.close()
    assert broken.status == 400 and "无法读取表单" in broken_text
    assert huge.status == 413
    assert bad_utf8.status < 500  # no stamp: answered as a bot
    assert nul[0] == 200  # the NUL is dropped, the rest is a fine complaint
    (complaint,) = await Complaint.all()
    assert complaint.content == "内容" and "\x00" not in complaint.content


async def test_another_organisations_code_is_a_404_and_its_form_posts_nowhere(
    resources: Resources, clock: SimClock, porg: ConsoleOrg
) -> None:
    client = await public_client(resources)
    try:
        visit = FormVisit(client, clock)
        await visit.open()
        response = await client.post("/public/nope/complaint", data={**GOOD, "csrf": visit.csrf,
                                     "started": visit.stamp}, headers=HTML)  # fmt: skip
        text = await response.text()
        other = FormVisit(client, clock, code="qs")
        await other.open()
        await other.send()
    finally:
        await client.close()
    assert response.status == 404 and "没有这个单位的公示页面" in text
    (complaint,) = await Complaint.all()
    assert complaint.organisation_id == porg.other.id
