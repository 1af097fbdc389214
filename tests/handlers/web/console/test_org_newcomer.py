"""新增人员 in the console: the office adds a person to a section (audited), a wrong field is named
in Chinese with nothing stored, and the new person round-trips through `tiji org export/import`."""

from __future__ import annotations

from bot.org import export_org, import_org
from bot.runtime.resources import Resources
from models.org import Department, Person
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML

PAGE = "/admin/org/people/new"
XSS = "<script>alert(1)</script>"


async def newcomer(place: str, **fields: str) -> dict[str, str | list[str]]:
    return {"handle": "xinren", "name": "辛仁", "title": "科员", "phone": "13900000001", "place": place,
            "roles": ["staff"], **fields}  # fmt: skip


async def test_the_office_adds_a_person_to_a_section_audited_and_exported(resources: Resources) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    async with client_of(resources, "zhouwenbin") as client:
        response = await post_form(client, PAGE, PAGE, await newcomer(f"d:{ysk.id}", wecom_userid="XinRen"))
        assert response.status == 303 and response.headers["Location"].startswith(
            "/admin/org?saved=person_add"
        )
        page = await client.get(response.headers["Location"].split("#")[0], headers=HTML)
        assert "已新增人员" in await page.text() and "辛仁" in await page.text()
    person = await Person.get(handle="xinren")
    assert (person.department_id, person.unit_id, person.wecom_userid) == (ysk.id, ysk.unit_id, "XinRen")
    [audit] = await console_audits("org.person_add")
    assert audit.data["after"]["section"] == "运输管理股"

    exported = await export_org()
    assert "xinren" in exported
    report = await import_org(exported)
    assert not report.changed, report.summary()


async def test_a_wrong_field_is_named_and_nothing_is_stored(resources: Resources) -> None:
    await example_org()
    ysk = await Department.get(code="ysk")
    before = await Person.all().count()
    cases = {
        "账号只能用小写字母": await newcomer(f"d:{ysk.id}", handle="辛 仁"),
        "已有人使用": await newcomer(f"d:{ysk.id}", handle="zhangwei"),
        "电话": await newcomer(f"d:{ysk.id}", phone="123"),
        "请选择所在单位或股室": await newcomer("nowhere"),
        "所选股室不存在": await newcomer("d:999999"),
    }
    async with client_of(resources, "zhouwenbin") as client:
        for words, data in cases.items():
            response = await post_form(client, PAGE, PAGE, data)
            text = await response.text()
            assert response.status == 400 and words in text, (words, text[-400:])
        response = await post_form(client, PAGE, PAGE, await newcomer(f"d:{ysk.id}", name=XSS, phone="1"))
        assert XSS not in await response.text()
    assert await Person.all().count() == before
    assert await console_audits("org.person_add") == []


async def test_only_the_office_and_admins_may_add_people(resources: Resources) -> None:
    await example_org()
    for handle in ("zhangwei", "wangjianguo"):  # staff; the principal (reads the org, edits nothing)
        async with client_of(resources, handle) as client:
            response = await client.get(PAGE, headers=HTML)
            assert response.status == 403, handle
    async with client_of(resources, "zhouwenbin") as client:
        token_less = await client.post(PAGE, data={"handle": "x", "name": "x"}, headers=HTML)
        assert token_less.status == 403
    assert not await Person.filter(handle="x").exists()
