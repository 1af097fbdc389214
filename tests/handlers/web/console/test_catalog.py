"""/admin/catalog: the office writes each item's 办事指南 (validated, audited); a used item cannot
be deleted; and when a matter names the item, the receipt in chat lists the materials and steps to
tell the applicant in one go (首问负责制 “一次性告知”)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import SimClock
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.catalog import CatalogItem
from models.org import Department, Person
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML, console_app
from tests.support.pages import signed_in_client
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：公路超限运输许可\n拟说不理由：材料不全"


def guide(dept: Department, **changes: str) -> dict[str, str]:
    values = {"department": str(dept.id), "category": "行政许可", "name": "公路超限运输许可",
              "legal_basis": "《公路安全保护条例》第三十五条", "time_limit": "法定5个工作日",
              "materials": "公路超限运输申请表\n\n车辆行驶证、驾驶证", "steps": "网上申请\n窗口受理\n现场勘验",
              "public": "on"}  # fmt: skip
    return {**values, **changes}


async def test_the_office_creates_an_item_with_its_guide_and_it_is_audited(resources: Resources) -> None:
    await example_org()
    dept = await Department.get(code="xzsp")
    async with client_of(resources, "zhouwenbin") as client:
        response = await post_form(
            client, "/admin/catalog/new", "/admin/catalog/new", guide(dept, code="XZ-09")
        )
        assert response.status == 303
        text = await (await client.get("/admin/catalog", headers=HTML)).text()
    item = await CatalogItem.get(code="XZ-09")
    assert item.material_list() == ["公路超限运输申请表", "车辆行驶证、驾驶证"] and item.public
    assert "现场勘验" in text and "法定5个工作日" in text
    [row] = await console_audits("catalog.create")
    assert row.data["before"] == {} and row.data["after"]["code"] == "XZ-09"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "XZ 09"}, "只能用字母、数字和 _ . -"),
        ({"code": "XZ-01"}, "清单编号 XZ-01 已经有了"),
        ({"category": "其他"}, "类别应为：行政许可、政务服务、来信来访、投诉咨询、堵点断点"),
        ({"name": "  "}, "请填写事项名称"),
        ({"time_limit": "天" * 65}, "办理时限太长"),
        ({"department": "999999"}, "请选择承办股室"),
    ],
)
async def test_a_bad_item_is_refused_in_chinese_and_nothing_is_stored(
    resources: Resources, changes: dict[str, str], message: str
) -> None:
    await example_org()
    dept = await Department.get(code="xzsp")
    count = await CatalogItem.all().count()
    async with client_of(resources, "zhouwenbin") as client:
        response = await post_form(
            client, "/admin/catalog/new", "/admin/catalog/new", guide(dept, **{"code": "XZ-09", **changes})
        )
        text = await response.text()
    assert response.status == 400 and message in text
    assert await CatalogItem.all().count() == count and not await console_audits("catalog.create")


async def test_editing_an_item_is_audited_before_and_after_and_shown_escaped(resources: Resources) -> None:
    await example_org()
    item = await CatalogItem.get(code="XZ-01")
    dept = await Department.get(id=item.department_id)
    async with client_of(resources, "jiangtao") as client:
        page = f"/admin/catalog/{item.id}"
        response = await post_form(
            client, page, page, guide(dept, steps="<img src=x onerror=alert(1)>", public="")
        )
        assert response.status == 303
        text = await (await client.get("/admin/catalog", headers=HTML)).text()
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert not (await CatalogItem.get(id=item.id)).public
    [row] = await console_audits("catalog.edit")
    assert row.data["before"]["public"] is True and row.data["after"]["public"] is False
    assert "steps" in row.data["changed"]


async def test_an_item_a_matter_names_cannot_be_deleted(stack_with_matter: Stack) -> None:
    item = await CatalogItem.get(code="XZ-01")
    client = await signed_in_client(
        console_app(stack_with_matter.resources), await Person.get(handle="zhouwenbin")
    )
    try:
        response = await post_form(client, "/admin/catalog", f"/admin/catalog/{item.id}/delete", {})
        text = await response.text()
    finally:
        await client.close()
    assert response.status == 400 and "已有 1 件事项引用" in text and "取消“公开”" in text
    assert await CatalogItem.filter(id=item.id).exists()


async def test_an_unused_item_is_deleted_and_audited(resources: Resources) -> None:
    await example_org()
    item = await CatalogItem.get(code="XZ-02")
    async with client_of(resources, "zhouwenbin") as client:
        response = await post_form(client, "/admin/catalog", f"/admin/catalog/{item.id}/delete", {})
    assert response.status == 303 and not await CatalogItem.filter(id=item.id).exists()
    [row] = await console_audits("catalog.delete")
    assert row.data["before"]["code"] == "XZ-02" and row.data["after"] == {}


async def test_staff_get_403_and_a_leader_reads_without_edit_buttons(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhangwei") as client:
        assert (await client.get("/admin/catalog", headers=HTML)).status == 403
    async with client_of(resources, "wangjianguo") as client:
        response = await client.get("/admin/catalog", headers=HTML)
        text = await response.text()
        assert response.status == 200 and "公路超限运输许可" in text and "/delete" not in text
        assert (await client.get("/admin/catalog/new", headers=HTML)).status == 403


@pytest.fixture
async def stack_with_matter(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        await _say(s, "zhangwei", FORM + "\n清单编号：XZ-01")
        yield s


async def _say(stack: Stack, handle: str, text: str) -> str:
    response = await stack.client.post("/sim/api/messages", json={"from": handle, "text": text})
    assert response.status == 202, await response.text()
    await stack.drain()
    inbox = await (await stack.client.get(f"/sim/api/inbox/{handle}")).json()
    return str([i for i in inbox if i["direction"] == "out" and i["kind"] == "text"][-1]["text"])


async def test_the_receipt_lists_the_materials_and_steps_edited_in_the_console(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        item = await CatalogItem.get(code="XZ-01")
        dept = await Department.get(id=item.department_id)
        client = await signed_in_client(console_app(stack.resources), await Person.get(handle="zhouwenbin"))
        try:
            page = f"/admin/catalog/{item.id}"
            assert (await post_form(client, page, page, guide(dept))).status == 303
        finally:
            await client.close()

        receipt = await _say(stack, "zhangwei", FORM + "\n清单编号：XZ-01")

    assert "【一次性告知】请把以下内容一次告诉申请人（XZ-01 公路超限运输许可）" in receipt
    assert "办理时限：法定5个工作日" in receipt
    assert "1. 公路超限运输申请表\n2. 车辆行驶证、驾驶证" in receipt
    assert "办理流程：\n1. 网上申请\n2. 窗口受理\n3. 现场勘验" in receipt


async def test_a_matter_without_a_catalog_item_gets_no_guide(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        receipt = await _say(stack, "zhangwei", FORM)
    assert "已提交说“不”事项" in receipt and "一次性告知" not in receipt
