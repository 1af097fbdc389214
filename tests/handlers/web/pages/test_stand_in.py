"""代理 (/m/stand-in): a leader names a stand-in for a date range (checked field by field in
Chinese, nothing stored on a refusal), ends it; each change is audited and the stand-in and the
office group are told. Staff cannot; a form without its CSRF token is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.runtime.resources import Resources
from bot.settings import Settings
from models.audit import AuditEntry
from models.messaging import OutboxMessage
from models.org import StandIn
from tests.bot.jobs.test_duties import Org, build_org
from tests.handlers.web.pages.page_world import HTML, client_as, csrf_of

Client = TestClient[web.Request, web.Application]
TODAY = "2026-11-30"  # the clock's day (Monday 09:00)


@pytest.fixture
async def world(resources: Resources) -> Org:
    return await build_org()


async def post_form(client: Client, path: str, **fields: str) -> tuple[int, str]:
    token = csrf_of(await (await client.get("/m/stand-in", headers=HTML)).text())
    response = await client.post(path, data={"csrf": token, **fields}, headers=HTML, allow_redirects=False)
    return response.status, await response.text()


async def test_a_leader_sets_a_stand_in_audited_and_both_are_told(
    settings: Settings, resources: Resources, world: Org
) -> None:
    client = await client_as(settings, resources, world.people["gu1"])
    try:
        page = await (await client.get("/m/stand-in", headers=HTML)).text()
        assert '<option value="s1">陈科员</option>' in page and 'value="gu1"' not in page
        status, _ = await post_form(client, "/m/stand-in", stand_in="s1", start="2026-12-01", end="2026-12-04",
                                    reason="外出学习")  # fmt: skip
        assert status == 302
        after = await (await client.get("/m/stand-in?done=set", headers=HTML)).text()
    finally:
        await client.close()
    row = await StandIn.get(person_id=world.people["gu1"].id)
    assert (row.stand_in_id, row.start_date, row.end_date) == (world.people["s1"].id, dt.date(2026, 12, 1),
                                                                dt.date(2026, 12, 4))  # fmt: skip
    assert "代理已设置" in after and "陈科员" in after
    audit = await AuditEntry.get(action="stand_in_set")
    assert audit.actor == "gu1" and audit.data["stand_in"] == "s1" and audit.data["end"] == "2026-12-04"
    told = await OutboxMessage.filter(dedupe_key__startswith=f"stand_in:{row.id}:set").prefetch_related(
        "person"
    )
    to_stand_in = [m for m in told if m.person is not None]
    to_office = [m for m in told if m.group_id == world.office_group.id]
    assert len(to_stand_in) == 1 and to_stand_in[0].person.handle == "s1"  # type: ignore[union-attr]
    assert "李股长已设置您为其代理人，2026-12-01 至 2026-12-04" in str(to_stand_in[0].payload["text"])
    assert len(to_office) == 1 and "李股长设置代理：陈科员" in str(to_office[0].payload["markdown"])


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"stand_in": "", "start": TODAY, "end": TODAY}, "stand_in", "请选择代理人"),
        ({"stand_in": "gu1", "start": TODAY, "end": TODAY}, "stand_in", "不能选择自己"),
        ({"stand_in": "nobody", "start": TODAY, "end": TODAY}, "stand_in", "本单位在职人员"),
        ({"stand_in": "s1", "start": "2026-11-29", "end": TODAY}, "start", "开始日期不能早于今天"),
        ({"stand_in": "s1", "start": "2026-12-03", "end": "2026-12-02"}, "end", "结束日期不能早于开始日期"),
        ({"stand_in": "s1", "start": "12/03", "end": TODAY}, "start", "开始日期格式不正确"),
        ({"stand_in": "s1", "start": TODAY, "end": ""}, "end", "请填写结束日期"),
        ({"stand_in": "s1", "start": TODAY, "end": "2028-01-01"}, "end", "最长 366 天"),
    ],
)
async def test_a_bad_field_is_named_beside_it_and_nothing_is_stored(
    settings: Settings, resources: Resources, world: Org, fields: dict[str, str], field: str, words: str
) -> None:
    client = await client_as(settings, resources, world.people["gu1"])
    try:
        status, html = await post_form(client, "/m/stand-in", **fields)
    finally:
        await client.close()
    assert status == 400
    error = html.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert words in error
    assert await StandIn.all().count() == 0
    assert await AuditEntry.filter(action="stand_in_set").count() == 0
    assert await OutboxMessage.filter(dedupe_key__startswith="stand_in:").count() == 0


async def test_an_overlapping_range_is_refused_and_the_words_are_escaped(
    settings: Settings, resources: Resources, world: Org
) -> None:
    await StandIn.create(organisation=world.org, person=world.people["gu1"], stand_in=world.people["s2"],
                         start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 3))  # fmt: skip
    client = await client_as(settings, resources, world.people["gu1"])
    try:
        status, html = await post_form(client, "/m/stand-in", stand_in="s1", start="2026-12-03", end="2026-12-05",
                                       reason="<script>alert(1)</script>")  # fmt: skip
    finally:
        await client.close()
    assert status == 400
    assert "与已设置的代理（刘科员，2026-12-01 至 2026-12-03）时间重叠" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert await StandIn.all().count() == 1


async def test_ending_a_current_stand_in_gives_the_steps_back_from_today_and_a_coming_one_goes(
    settings: Settings, resources: Resources, world: Org
) -> None:
    current = await StandIn.create(organisation=world.org, person=world.people["gu1"], stand_in=world.people["s2"],
                                   start_date=dt.date(2026, 11, 27), end_date=dt.date(2026, 12, 3))  # fmt: skip
    coming = await StandIn.create(organisation=world.org, person=world.people["gu1"], stand_in=world.people["s1"],
                                  start_date=dt.date(2026, 12, 10), end_date=dt.date(2026, 12, 11))  # fmt: skip
    client = await client_as(settings, resources, world.people["gu1"])
    try:
        assert (await post_form(client, f"/m/stand-in/{current.id}/end"))[0] == 302
        assert (await post_form(client, f"/m/stand-in/{coming.id}/end"))[0] == 302
        again, html = await post_form(client, f"/m/stand-in/{coming.id}/end")
    finally:
        await client.close()
    assert (await StandIn.get(id=current.id)).end_date == dt.date(2026, 11, 29)
    assert not await StandIn.filter(id=coming.id).exists()
    assert again == 400 and "找不到这条代理" in html
    assert await AuditEntry.filter(action="stand_in_end").count() == 2
    ended = await OutboxMessage.filter(dedupe_key__startswith=f"stand_in:{current.id}:end").prefetch_related(
        "person"
    )
    assert {m.person.handle for m in ended if m.person is not None} == {"s2"}
    assert any(m.group_id == world.office_group.id for m in ended)


async def test_someone_elses_stand_in_cannot_be_ended(
    settings: Settings, resources: Resources, world: Org
) -> None:
    theirs = await StandIn.create(organisation=world.org, person=world.people["gu2"], stand_in=world.people["s2"],
                                  start_date=dt.date(2026, 11, 27), end_date=dt.date(2026, 12, 3))  # fmt: skip
    client = await client_as(settings, resources, world.people["gu1"])
    try:
        status, _ = await post_form(client, f"/m/stand-in/{theirs.id}/end")
    finally:
        await client.close()
    assert status == 400
    assert (await StandIn.get(id=theirs.id)).end_date == dt.date(2026, 12, 3)


async def test_staff_get_a_chinese_403_and_a_form_without_its_token_is_refused(
    settings: Settings, resources: Resources, world: Org
) -> None:
    staff = await client_as(settings, resources, world.people["s1"])
    leader = await client_as(settings, resources, world.people["gu1"])
    try:
        refused = await staff.get("/m/stand-in", headers=HTML)
        refused_text = await refused.text()
        forged = await leader.post(
            "/m/stand-in", data={"stand_in": "s1", "start": TODAY, "end": TODAY}, headers=HTML
        )
        forged_text = await forged.text()
    finally:
        await staff.close()
        await leader.close()
    assert refused.status == 403 and "只有股室负责人、分管领导和主要领导可以设置代理" in refused_text
    assert forged.status == 403 and "安全校验没有通过" in forged_text
    assert await StandIn.all().count() == 0
