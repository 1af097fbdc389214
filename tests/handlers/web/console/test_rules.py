"""/admin/rules: each unit's 说“不”提级管理制度 — the holders come from the chain, the office writes
the rest (audited, too-long text refused), the matter page's helper and the public view show it."""

from __future__ import annotations

from bot.org.rules import rules_for_unit
from bot.runtime.resources import Resources
from models.org import Unit
from models.unit_rules import UnitRules
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML

RULES = {
    "scope": "本局机关各股室办理的行政许可、政务服务事项",
    "never_refuse": "申请材料齐全、符合法定形式的\n\n法律法规没有禁止性规定的",
    "procedure": "首问责任人不能办的，当日提交股室负责人",
    "accountability": "违反本制度直接说“不”的，按规定追责",
    "scope_public": "on", "never_refuse_public": "on", "procedure_public": "on", "holders_public": "on",
}  # fmt: skip


async def test_the_holders_come_from_the_chain_and_the_office_writes_the_rest(resources: Resources) -> None:
    await example_org()
    bureau = await Unit.get(code="bureau")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/rules/{bureau.id}"
        text = await (await client.get(page, headers=HTML)).text()
        assert "王建国" in text and "陈国庆（运输管理股）" in text and "主要领导" in text
        response = await post_form(client, page, page, RULES)
        assert response.status == 303

    view = await rules_for_unit(bureau.id)
    assert view is not None and view.never_refuse == (
        "申请材料齐全、符合法定形式的",
        "法律法规没有禁止性规定的",
    )
    assert view.holders[3].names == ("王建国",)
    public = view.public()
    assert public.scope == RULES["scope"] and public.accountability == ""
    [row] = await console_audits("rules.edit")
    assert row.data["before"] == {} and row.data["after"]["procedure"] == RULES["procedure"]


async def test_a_unit_without_rules_has_none_for_the_matter_page(resources: Resources) -> None:
    await example_org()
    assert await rules_for_unit((await Unit.get(code="bureau")).id) is None


async def test_too_long_a_part_is_refused_and_nothing_is_stored(resources: Resources) -> None:
    await example_org()
    bureau = await Unit.get(code="bureau")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/rules/{bureau.id}"
        response = await post_form(client, page, page, {**RULES, "procedure": "长" * 6001})
        text = await response.text()
    assert response.status == 400 and "提级程序和条件太长" in text
    assert not await UnitRules.exists() and not await console_audits("rules.edit")


async def test_rules_text_is_shown_escaped_to_a_reader(resources: Resources) -> None:
    await example_org()
    bureau = await Unit.get(code="bureau")
    async with client_of(resources, "zhouwenbin") as client:
        page = f"/admin/rules/{bureau.id}"
        await post_form(client, page, page, {**RULES, "scope": "<b onmouseover=alert(1)>范围</b>"})
    async with client_of(resources, "tangweidong") as client:  # 纪检组: reads, cannot edit
        response = await client.get(f"/admin/rules/{bureau.id}", headers=HTML)
        text = await response.text()
        assert (
            response.status == 200
            and "<b onmouseover" not in text
            and "&lt;b onmouseover=alert(1)&gt;" in text
        )
        assert "保存制度" not in text
        refused = await client.post(f"/admin/rules/{bureau.id}", data={"scope": "x"}, headers=HTML)
        assert refused.status == 403


async def test_staff_get_403_and_other_units_are_not_found_for_a_leader(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhangwei") as client:
        assert (await client.get("/admin/rules", headers=HTML)).status == 403
    other = await Unit.exclude(code="bureau").first()
    assert other is not None
    async with client_of(resources, "wangjianguo") as client:  # principal of the bureau only
        assert (await client.get(f"/admin/rules/{other.id}", headers=HTML)).status == 404
