"""/admin/org, continued: a unit's 主要领导, ending a stand-in, a group's ids (secrets never shown
nor audited), and another organisation's office seeing none of ours."""

from __future__ import annotations

import datetime as dt

from bot.runtime.resources import Resources
from models.org import Department, GroupChannel, Person, StandIn, Unit
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML, console_org


async def test_a_new_principal_is_saved_and_a_section_head_is_refused(resources: Resources) -> None:
    await example_org()
    bureau = await Unit.get(code="bureau")
    head = await Department.get(code="ysk")
    page = f"/admin/org/units/{bureau.id}"
    async with client_of(resources, "zhouwenbin") as client:
        refused = await post_form(client, page, page, {"principal": str(head.head_id)})
        assert refused.status == 400 and "请先在该股室指定其他人" in await refused.text()
        fresh = await Person.get(handle="liuyang")
        assert (await post_form(client, page, page, {"principal": str(fresh.id)})).status == 303
    assert (await Unit.get(id=bureau.id)).principal_id == fresh.id
    assert "principal" in (await Person.get(id=fresh.id)).roles
    assert "principal" not in (await Person.get(handle="wangjianguo")).roles
    [row] = await console_audits("org.principal")
    assert row.data["after"] == {"principal": fresh.id}


async def test_ending_a_running_stand_in_makes_yesterday_its_last_day(resources: Resources) -> None:
    await example_org()
    row = await StandIn.get()
    row.start_date, row.end_date = dt.date(2026, 11, 25), dt.date(2026, 12, 5)  # the clock: 2026-11-30
    await row.save()
    async with client_of(resources, "zhouwenbin") as client:
        text = await (await client.get("/admin/org", headers=HTML)).text()
        assert "代理中" in text and "今日由 赵志强 代理" in text
        response = await post_form(client, "/admin/org", f"/admin/org/stand-ins/{row.id}/end", {})
        assert response.status == 303
        again = await post_form(client, "/admin/org", f"/admin/org/stand-ins/{row.id}/end", {})
        assert again.status == 400 and "已于 2026-11-29 结束" in await again.text()
    assert (await StandIn.get(id=row.id)).end_date == dt.date(2026, 11, 29)
    [audit] = await console_audits("org.stand_in.end")
    assert audit.data["before"]["to"] == "2026-12-05" and audit.data["after"]["to"] == "2026-11-29"


async def test_a_group_keeps_its_secret_when_the_field_is_left_empty(resources: Resources) -> None:
    await example_org()
    group = await GroupChannel.get(code="office")
    group.wecom_robot_key = "robot-secret-key"
    await group.save()
    page = f"/admin/org/groups/{group.id}"
    async with client_of(resources, "zhouwenbin") as client:
        form = await (await client.get(page, headers=HTML)).text()
        assert "robot-secret-key" not in form and "已设置，留空不变" in form
        bad = await post_form(client, page, page, {"name": "办公室群", "wecom_chat_id": "bad id!"})
        assert bad.status == 400 and "只能是字母和数字" in await bad.text()
        ok = await post_form(client, page, page, {"name": "活动办公室群", "wecom_chat_id": "tijiOffice2"})
        assert ok.status == 303
    saved = await GroupChannel.get(id=group.id)
    assert (saved.name, saved.wecom_chat_id, saved.wecom_robot_key) == (
        "活动办公室群",
        "tijiOffice2",
        "robot-secret-key",
    )
    [row] = await console_audits("org.group")
    assert "robot-secret-key" not in str(row.data) and row.data["after"]["wecom_robot_key"] == "已设置"


async def test_another_organisations_office_sees_none_of_our_people(resources: Resources) -> None:
    await example_org()
    corg = await console_org()
    async with client_of(resources, corg.other_office.handle) as client:
        text = await (await client.get("/admin/org", headers=HTML)).text()
        who = await Person.get(handle="zhangwei")
        edit = await client.get(f"/admin/org/people/{who.id}", headers=HTML)
    assert "张伟" not in text and "运输管理股" not in text
    assert edit.status == 404
