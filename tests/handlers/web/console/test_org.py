"""/admin/org: the office sees every section's four-level chain with names and phones and edits
it; each edit is validated in Chinese (nothing stored when refused) and audited before → after;
the result round-trips through `tiji org export/import`; others read or get 403."""

from __future__ import annotations

import datetime as dt

from bot.org import export_org, import_org
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.org import Department, Person, StandIn
from tests.handlers.web.console.org_support import EXAMPLE, client_of, console_audits, example_org, post_form
from tests.support.console import HTML


async def pid(handle: str) -> int:
    return (await Person.get(handle=handle)).id


async def test_the_office_sees_each_sections_chain_with_names_and_phones(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        response = await client.get("/admin/org", headers=HTML)
        text = await response.text()
    assert response.status == 200
    for shown in (
        "运输管理股",
        "陈国庆",
        "13837701009",
        "首问责任人",
        "分管领导",
        "主要领导",
        "代理安排",
        "观念能力作风建设年活动办公室",
    ):
        assert shown in text, shown


async def test_setting_a_section_head_is_audited_and_moves_the_role(resources: Resources) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    old_head, new_head = ysk.head_id, await pid("zhangwei")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/sections/{ysk.id}"
        response = await post_form(client, page, page, {"head": str(new_head), "deputy": str(ysk.deputy_id)})
    assert response.status == 303
    assert (await Department.get(id=ysk.id)).head_id == new_head
    assert "section_head" in (await Person.get(id=new_head)).roles
    assert "section_head" not in (await Person.get(id=old_head or 0)).roles
    [row] = await console_audits("org.chain")
    assert row.data["before"] == {"head": old_head, "deputy": ysk.deputy_id}
    assert row.data["after"] == {"head": new_head, "deputy": ysk.deputy_id}
    assert row.actor == "zhouwenbin"  # the viewer's handle


async def test_a_deputy_who_is_also_the_head_is_refused_in_chinese_and_nothing_is_stored(
    resources: Resources,
) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/sections/{ysk.id}"
        response = await post_form(client, page, page, {"head": str(ysk.head_id), "deputy": str(ysk.head_id)})
        text = await response.text()
    assert response.status == 400 and "分管领导和股室负责人不能是同一人" in text
    assert (await Department.get(id=ysk.id)).deputy_id == ysk.deputy_id
    assert not await AuditEntry.filter(action__startswith="console.").exists()


async def test_a_bad_phone_number_is_refused_and_the_form_keeps_what_was_typed(resources: Resources) -> None:
    await example_org()
    who = await Person.get(handle="zhangwei")
    async with client_of(resources, "jiangtao") as client:
        page = f"/admin/org/people/{who.id}"
        response = await post_form(client, page, page, {"name": "张伟伟", "phone": "12345", "active": "on"})
        text = await response.text()
    assert response.status == 400 and "“12345”不是有效的电话号码" in text and "张伟伟" in text
    assert (await Person.get(id=who.id)).name == "张伟"
    assert not await console_audits("org.person")


async def test_person_fields_are_saved_audited_and_shown_escaped(resources: Resources) -> None:
    await example_org()
    who = await Person.get(handle="zhangwei")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/people/{who.id}"
        data = {"name": "<script>alert(1)</script>", "title": "副股长", "phone": "0377-68123456",
                "roles": ["staff", "office"], "active": "on"}  # fmt: skip
        assert (await post_form(client, page, page, data)).status == 303
        text = await (await client.get("/admin/org", headers=HTML)).text()
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    saved = await Person.get(id=who.id)
    assert (saved.title, saved.phone, saved.roles) == ("副股长", "0377-68123456", ["staff", "office"])
    [row] = await console_audits("org.person")
    assert row.data["before"]["name"] == "张伟" and row.data["after"]["name"] == "<script>alert(1)</script>"
    assert row.data["changed"] == ["name", "phone", "roles", "title"]


async def test_someone_the_chain_still_names_cannot_be_deactivated(resources: Resources) -> None:
    await example_org()
    head = await Person.get(handle="chenguoqing")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/people/{head.id}"
        response = await post_form(client, page, page, {"name": head.name, "phone": head.phone})
        text = await response.text()
    assert response.status == 400 and "请先指定其他人，再停用" in text
    assert (await Person.get(id=head.id)).active


async def test_a_stand_in_set_in_the_console_survives_a_reimport_of_the_old_file(
    resources: Resources, clock: object
) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        data = {"person": str(await pid("wangjianguo")), "stand_in": str(await pid("liminghua")),
                "start": "2027-03-01", "end": "2027-03-05", "reason": "赴省厅汇报"}  # fmt: skip
        response = await post_form(client, "/admin/org", "/admin/org/stand-ins", data)
    assert response.status == 303
    [row] = await console_audits("org.stand_in.set")
    assert row.data["before"] == {} and row.data["after"]["reason"] == "赴省厅汇报"

    await import_org(EXAMPLE)  # the file as it was, without the new stand-in

    assert await StandIn.filter(person__handle="wangjianguo", start_date=dt.date(2027, 3, 1)).exists()


async def test_overlapping_stand_ins_are_refused(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        data = {"person": str(await pid("liminghua")), "stand_in": str(await pid("wangjianguo")),
                "start": "2027-02-03", "end": "2027-02-10"}  # fmt: skip
        response = await post_form(client, "/admin/org", "/admin/org/stand-ins", data)
        text = await response.text()
    assert response.status == 400 and "已有代理安排，与所选日期重叠" in text
    assert await StandIn.all().count() == 1


async def test_console_edits_export_and_reimport_to_the_same_file(resources: Resources) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/org/sections/{ysk.id}"
        await post_form(
            client, page, page, {"head": str(await pid("zhangwei")), "deputy": str(ysk.deputy_id)}
        )
        quit_ = await Person.get(handle="liuyang")
        page = f"/admin/org/people/{quit_.id}"
        await post_form(client, page, page, {"name": quit_.name, "title": "退休", "phone": quit_.phone})
        await post_form(client, "/admin/org", "/admin/org/stand-ins", {
            "person": str(await pid("wangjianguo")), "stand_in": str(await pid("liminghua")),
            "start": "2027-03-01", "end": "2027-03-05"})  # fmt: skip
    assert not (await Person.get(handle="liuyang")).active

    exported = await export_org()
    report = await import_org(exported)
    assert not report.changed, report.summary()
    assert await export_org() == exported


async def test_staff_get_403_and_leaders_read_their_units_without_edit_links(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhangwei") as client:
        response = await client.get("/admin/org", headers=HTML)
        assert response.status == 403 and "陈国庆" not in await response.text()
    async with client_of(resources, "wangjianguo") as client:  # 局长: the bureau's principal
        response = await client.get("/admin/org", headers=HTML)
        text = await response.text()
        assert response.status == 200 and "运输管理股" in text and "/admin/org/sections/" not in text
        ysk = await Department.get(code="ysk")
        page = await client.get(f"/admin/org/sections/{ysk.id}", headers=HTML)
        assert page.status == 403


async def test_a_post_without_the_csrf_token_is_refused(resources: Resources) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    async with client_of(resources, "zhouwenbin") as client:
        response = await client.post(
            f"/admin/org/sections/{ysk.id}", data={"head": str(await pid("zhangwei"))}, headers=HTML
        )
    assert response.status == 403
    assert (await Department.get(id=ysk.id)).head_id == ysk.head_id


async def test_another_organisations_section_is_not_found(resources: Resources) -> None:
    await example_org()
    from tests.support.console import console_org

    corg = await console_org()
    async with client_of(resources, "zhouwenbin") as client:
        response = await client.get(f"/admin/org/sections/{corg.yunzheng.id}", headers=HTML)
        assert response.status == 404 and corg.yunzheng.name not in await response.text()
