"""``/m/matters/{number}`` with the example org: who sees it (and who gets the same 403 with no
data), what it shows, and deciding on it — once, whatever the taps — through the same service as a
card, with the chat cards following."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.cards import Card
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.enums import Action, RefusalCategory, StepStatus
from models.matter import DecisionStep, Matter
from models.messaging import InboxEntry
from models.org import Organisation, Person
from tests.handlers.test_commands import FORM, World, make_world, snapshot
from tests.handlers.web.pages.matter_support import HTML, XSS, Rendered, client_as, open_page, post

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


# --- deciding ---------------------------------------------------------------------------------------


async def test_the_holder_decides_with_a_comment_and_the_next_leader_gets_the_card(
    world: World, resources: Resources, matter: Matter
) -> None:
    own_card = await world.open_card("chenguoqing")
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, matter)
        assert 'value="escalate"' in page.html and 'value="can_do"' in page.html
        assert 'value="confirm_no"' not in page.html  # only the principal refuses
        after = await post(
            client, matter, "decide", {"action": "escalate", "comment": "需分管领导协调"}, page
        )
    finally:
        await client.close()
    assert after.status == 200 and "已提级至" in after.html and "需分管领导协调" in after.html
    [step] = await decided_steps(matter)
    assert step.decision == Action.ESCALATE and step.comment == "需分管领导协调"
    # The chat follows as after a tap: the head's card closes, the deputy's card carries the comment.
    shown = next(c for c in await world.cards("chenguoqing") if c["ref"] == own_card["ref"])
    assert shown["closed"] is True and "已提级至" in shown["status"]
    deputy_card = await world.open_card("liminghua")
    assert "需分管领导协调" in deputy_card["body"]
    assert any("需分管领导协调" in t for t in await world.texts("zhangwei"))


async def test_a_double_post_decides_once(world: World, resources: Resources, matter: Matter) -> None:
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, matter)
        first, second = await asyncio.gather(
            post(client, matter, "decide", {"action": "can_do", "comment": "可以办"}, page),
            post(client, matter, "decide", {"action": "can_do", "comment": "可以办"}, page),
        )
        reload = await post(client, matter, "decide", {"action": "can_do"}, page)
    finally:
        await client.close()
    assert len(await decided_steps(matter)) == 1
    assert await AuditEntry.filter(action="can_do").count() == 1
    # One session, so the two answers may show either flash; neither is an error, and the form
    # sent again (a reload of the POST) is answered 「此环节已处理」.
    assert all(r.status == 200 and "notice-error" not in r.html for r in (first, second, reload))
    assert "此环节已处理" in first.html + second.html and "此环节已处理" in reload.html


async def test_a_card_tap_and_a_page_post_at_the_same_moment_decide_once(
    world: World, resources: Resources, matter: Matter
) -> None:
    card = await world.open_card("chenguoqing")
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, matter)
        tap, posted = await asyncio.gather(
            world.click("chenguoqing", card["ref"], "escalate"),
            post(client, matter, "decide", {"action": "can_do", "comment": "页面上能办"}, page),
        )
    finally:
        await client.close()
    steps = await decided_steps(matter)
    assert len(steps) == 1
    fresh = await Matter.get(id=matter.id)
    if steps[0].decision == Action.ESCALATE:  # the tap won: the page says so, calmly
        assert "此环节已处理" in posted.html and fresh.state == "pending"
    else:
        assert "已处理" in tap.message and fresh.state == "resolved"
    assert posted.status == 200


async def test_a_refusal_without_its_way_forward_is_refused_beside_the_field(
    world: World, resources: Resources
) -> None:
    matter = await world.submit("zhangwei")
    card = await world.escalate_to_principal(matter)
    client = await client_as(resources, "wangjianguo")
    try:
        page = await open_page(client, matter)
        assert 'value="confirm_no"' in page.html and " checked" not in page.html  # none pre-selected
        before = await snapshot()
        inbox = await InboxEntry.all().count()
        refused = await post(
            client,
            matter,
            "decide",
            {"action": "confirm_no", "comment": "法规不允许", "refusal_category": "law"},
            page,
        )
        assert await snapshot() == before and await InboxEntry.all().count() == inbox
        assert refused.status == 400
        assert 'id="way_forward-error"' in refused.html and "说“行”建议" in refused.html
        assert "法规不允许" in refused.html and 'value="law" checked' in refused.html  # input kept
        no_category = await post(
            client,
            matter,
            "decide",
            {"action": "confirm_no", "comment": "法规不允许", "way_forward": "先备案"},
            page,
        )
        assert 'id="refusal_category-error"' in no_category.html
        assert await snapshot() == before
        done = await post(
            client, matter, "decide",
            {"action": "confirm_no", "comment": "法规不允许", "way_forward": "先备案后再申请", "refusal_category": "law"},
            page,
        )  # fmt: skip
    finally:
        await client.close()
    assert done.status == 200 and "已确认不能办" in done.html
    fresh = await Matter.get(id=matter.id)
    assert fresh.state == "refused" and fresh.refusal_category == RefusalCategory.LAW
    assert fresh.decision_text == "法规不允许" and fresh.way_forward == "先备案后再申请"
    shown = next(c for c in await world.cards("wangjianguo") if c["ref"] == card["ref"])
    assert shown["closed"] is True and "已确认不能办" in Card.from_dict(shown).status


async def test_the_post_refuses_without_the_csrf_token(
    world: World, resources: Resources, matter: Matter
) -> None:
    client = await client_as(resources, "chenguoqing")
    try:
        page = await open_page(client, matter)
        before = await snapshot()
        response = await client.post(
            f"/m/matters/{matter.number}/decide",
            data={"nonce": page.nonce, "step": page.step, "action": "can_do"},
            headers=HTML,
        )
        assert response.status == 403 and "安全校验没有通过" in await response.text()
        wrong = await client.post(
            f"/m/matters/{matter.number}/decide",
            data={"csrf": "forged", "nonce": page.nonce, "step": page.step, "action": "can_do"},
            headers=HTML,
        )
        assert wrong.status == 403
    finally:
        await client.close()
    assert await snapshot() == before


async def test_someone_who_may_only_read_gets_no_buttons_and_cannot_post(
    world: World, resources: Resources, matter: Matter
) -> None:
    head_page_client = await client_as(resources, "chenguoqing")
    try:
        head_page = await open_page(head_page_client, matter)
    finally:
        await head_page_client.close()
    client = await client_as(resources, "zhouwenbin")
    try:
        page = await open_page(client, matter)
        assert 'value="can_do"' not in page.html
        before = await snapshot()
        account = Rendered(200, await (await client.get("/m/me", headers=HTML)).text())
        fields = {"csrf": account.csrf, "nonce": head_page.nonce, "step": head_page.step, "action": "can_do"}
        response = await client.post(f"/m/matters/{matter.number}/decide", data=fields, headers=HTML)
        text = await response.text()
        assert "由 陈国庆 审批，您无权处理" in text and "notice-error" in text
    finally:
        await client.close()
    assert await snapshot() == before


async def test_a_refusal_begun_on_the_card_is_finished_on_the_page(
    world: World, resources: Resources
) -> None:
    matter = await world.submit("zhangwei")
    card = await world.escalate_to_principal(matter)
    assert (await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": "law"})).ok
    client = await client_as(resources, "wangjianguo")
    try:
        page = await open_page(client, matter)
        assert 'value="law" checked' in page.html  # the category tapped on the card
        done = await post(
            client,
            matter,
            "decide",
            {"action": "confirm_no", "comment": "法规不允许", "way_forward": "先备案"},
            page,
        )
    finally:
        await client.close()
    assert "已确认不能办" in done.html
    fresh = await Matter.get(id=matter.id)
    assert fresh.state == "refused" and fresh.refusal_category == RefusalCategory.LAW
    assert fresh.way_forward == "先备案"
