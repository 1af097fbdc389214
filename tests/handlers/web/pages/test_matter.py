"""``/m/matters/{number}`` with the example org: who sees it (and who gets the same 403 with no
data), and what it shows: every free-text field escaped, the deadline red when it is near."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from models.org import Organisation, Person
from models.unit_rules import UnitRules
from tests.handlers.test_commands import FORM, World, make_world
from tests.handlers.web.pages.matter_support import HTML, XSS, client_as, open_page, post

FULL = FORM + "\n诉求：尽快办理\n政策依据：《道路运输条例》第十条\n清单编号：ys-01\n协办股室：工程建设股"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


@pytest.fixture
async def matter(world: World) -> Matter:
    return await world.submit("zhangwei", FULL)


async def decided_steps(matter: Matter) -> list[DecisionStep]:
    return await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED).order_by("id")


# --- who sees it ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handle",
    ["zhangwei", "chenguoqing", "liminghua", "wangjianguo", "zhouwenbin", "tangweidong", "liudesheng"],
)
async def test_everyone_on_the_matter_reads_the_whole_record(
    resources: Resources, matter: Matter, handle: str
) -> None:
    client = await client_as(resources, handle)
    try:
        page = await open_page(client, matter)
    finally:
        await client.close()
    assert page.status == 200
    for shown in (matter.number, "张三", 'href="tel:13800000000"', "材料不全", "《道路运输条例》第十条",
                  "道路旅客运输经营许可", "工程建设股", "剩余"):  # fmt: skip
        assert shown in page.html, shown


async def test_an_outsider_gets_403_with_no_data(resources: Resources, matter: Matter) -> None:
    client = await client_as(resources, "wangfang")
    try:
        page = await open_page(client, matter)
        unknown = await client.get("/m/matters/TJ-2026-0999", headers=HTML)
        unknown_html = await unknown.text()
    finally:
        await client.close()
    assert page.status == 403
    for secret in ("张三", "13800000000", "材料不全", "道路运输经营许可"):
        assert secret not in page.html
    # A number that does not exist looks exactly the same: nothing tells them it exists.
    assert unknown.status == 403 and unknown_html == page.html


async def test_another_organisations_number_is_the_same_403(resources: Resources, matter: Matter) -> None:
    other = await Organisation.create(code="other-bureau", name="另一个局")
    await Person.create(organisation=other, handle="boss", name="外局办公室", roles=["office", "principal"])
    client = await client_as(resources, "boss")
    try:
        page = await open_page(client, matter)
    finally:
        await client.close()
    assert page.status == 403
    assert "张三" not in page.html and "材料不全" not in page.html


async def test_not_signed_in_goes_to_sign_in_and_back(resources: Resources, matter: Matter) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from tests.handlers.web.pages.matter_support import page_app

    async with TestClient(TestServer(page_app(resources))) as client:
        response = await client.get(f"/m/matters/{matter.number}", headers=HTML, allow_redirects=False)
        assert response.status == 302
        assert response.headers["Location"] == f"/m/signin?next=/m/matters/{matter.number}"
        posted = await client.post(f"/m/matters/{matter.number}/decide", data={}, headers=HTML)
        assert posted.status in (401, 403)


@pytest.mark.parametrize(
    "number", ["x", "TJ-2026-99999999999999", "TJ-" + "9" * 5000, "%00", "TJ-2026-0001'--", "ＴＪ-2026-0001"]
)
async def test_garbage_numbers_get_the_403_page_not_an_error(
    resources: Resources, matter: Matter, number: str
) -> None:
    client = await client_as(resources, "zhouwenbin")
    try:
        response = await client.get(f"/m/matters/{number}", headers=HTML)
    finally:
        await client.close()
    assert response.status in (403, 404, 414), response.status


async def test_the_number_may_be_typed_loosely(resources: Resources, matter: Matter) -> None:
    client = await client_as(resources, "zhouwenbin")
    try:
        response = await client.get("/m/matters/tj-2026-1", headers=HTML)
        assert response.status == 200 and matter.number in await response.text()
        assert response.headers["Cache-Control"] == "no-store"  # a person's matter stays off caches
    finally:
        await client.close()


# --- what it shows ----------------------------------------------------------------------------------


async def test_every_free_text_field_is_escaped(world: World, resources: Resources) -> None:
    form = (
        f"说不\n服务对象：{XSS}\n联系电话：13800000000\n事项：<img src=x onerror=alert(1)>\n"
        f"拟说不理由：{XSS}理由\n诉求：{XSS}\n政策依据：{XSS}"
    )
    matter = await world.submit("zhangwei", form)
    head = await client_as(resources, "chenguoqing")
    try:
        await post(head, matter, "decide", {"action": "can_do", "comment": f"{XSS}意见"})
    finally:
        await head.close()
    submitter = await client_as(resources, "zhangwei")
    try:
        await post(
            submitter, matter, "reply", {"method": "written", "callee_phone": "", "content": f"{XSS}回复"}
        )
        page = await open_page(submitter, matter)
    finally:
        await submitter.close()
    assert page.status == 200
    assert "<script>" not in page.html and "<img src=x" not in page.html
    assert page.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
    assert "&lt;script&gt;alert(1)&lt;/script&gt;意见" in page.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;回复" in page.html


async def test_the_deadline_turns_red_under_four_working_hours(
    world: World, resources: Resources, matter: Matter
) -> None:
    client = await client_as(resources, "zhangwei")
    try:
        calm = await open_page(client, matter)
        world.clock.set(matter.due_at - (matter.due_at - matter.due_at.replace(hour=matter.due_at.hour - 2)))
        urgent = await open_page(client, matter)
    finally:
        await client.close()
    assert 'class="deadline"' in calm.html
    assert 'class="deadline urgent"' in urgent.html and "剩余 2 小时" in urgent.html


async def test_the_page_shows_the_units_own_rules_escaped(resources: Resources, matter: Matter) -> None:
    await UnitRules.create(
        organisation_id=matter.organisation_id,
        unit_id=matter.unit_id,
        scope="本局各股室受理的事项",
        never_refuse=f"材料齐全的许可申请\n{XSS}",
        procedure="三个工作日内提级",
    )
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, matter)
    finally:
        await client.close()
    assert "说“不”提级管理制度" in page.html and "材料齐全的许可申请" in page.html
    assert "三个工作日内提级" in page.html and XSS not in page.html
