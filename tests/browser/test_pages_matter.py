"""A matter's page in headless Chromium at 390×844, inside each messenger: signed in through
WeCom's OAuth2 redirect (fake WeCom API) or DingTalk's free-login code (fake DingTalk API), the
leader reads the record, decides with a comment, and the card in chat changes as after a tap.
Screenshots go to tests/artifacts/ (one is the README's docs/pages-matter-phone.png)."""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.events import Sender, TextMessage
from bot.settings import Settings
from handlers.router import Router
from models.enums import Platform
from models.matter import DecisionStep, Matter
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.fakes.dingtalk_openapi import running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
PHONE = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs"
FORM = (
    "说不\n服务对象：桐柏县宏达客运有限公司（法定代表人 刘建设）\n联系电话：13837799001\n"
    "事项：道路旅客运输经营许可（新增班线 桐柏—南阳）\n"
    "拟说不理由：申请材料中缺少车辆技术等级评定证明，且拟投入车辆尚未取得道路运输证，按规定暂不能受理\n"
    "诉求：尽快开通班线，方便沿线群众出行\n政策依据：《道路旅客运输及客运站管理规定》第十条\n清单编号：YS-01"
)
__all__ = ["chromium"]


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def submit(stack: Stack, platform: Platform, userid: str) -> Matter:
    """The submitter sends the 说不 form in chat; the first card goes out."""
    event = TextMessage(Sender(platform, userid), FORM, f"test:msg:{uuid.uuid4().hex}")
    reply = await Router(stack.resources).handle(event)
    assert reply.ok, reply.message
    await stack.drain()
    matter = await Matter.all().order_by("-id").first()
    assert matter is not None
    return matter


async def until(check: Callable[[], bool], what: str) -> None:
    """Wait (polling the fake, no fixed sleep) until ``check()`` holds, at most ``WAIT_MS``."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_leader_decides_on_the_page_inside_wecom_and_the_card_follows(
    chromium: Path, settings: Settings, clock: SimClock, db: None, wecom: FakeWeCom
) -> None:
    from playwright.async_api import async_playwright, expect

    wecom_settings = settings.model_copy(update={**wecom_fields(wecom), "wecom_oauth_base": wecom.base_url})
    async with running_stack(wecom_settings, clock) as stack:
        await stack.import_org()
        matter = await submit(stack, Platform.WECOM, "Zhangwei")
        [card] = wecom.cards_to("Chenguoqing")
        base = await stack.serve()
        wecom.oauth_userid = "Chenguoqing"
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                # The submitter sees their own matter with 催办 and 撤回 (no decision buttons).
                wecom.oauth_userid = "Zhangwei"
                mine = await browser.new_page(viewport=PHONE, locale="zh-CN", user_agent="wxwork/4.1")
                mine.set_default_timeout(WAIT_MS)
                await mine.goto(f"{base}/m/matters/{matter.number}")
                await expect(mine.locator("#decide")).to_have_count(0)
                await mine.click("#withdraw summary")
                await mine.locator("#submitter-actions").scroll_into_view_if_needed()
                await mine.screenshot(path=str(ARTIFACTS / "pages-matter-submitter-phone.png"))
                wecom.oauth_userid = "Chenguoqing"
                page = await browser.new_page(
                    viewport=PHONE, locale="zh-CN", user_agent="Mozilla/5.0 wxwork/4.1"
                )
                page.set_default_timeout(WAIT_MS)
                await page.goto(f"{base}/m/matters/{matter.number}")
                await expect(page.locator("h1 .number")).to_have_text(matter.number)
                assert wecom.oauth_redirects[-1]["scope"] == "snsapi_base"
                await expect(page.locator("#applicant-phone")).to_have_attribute("href", "tel:13837799001")
                await expect(page.locator("#catalog")).to_contain_text("道路旅客运输经营许可")
                await expect(page.locator(".your-turn")).to_be_visible()
                # Nothing overflows the phone's width (long names, numbers, the form).
                width = await page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], width
                number_box = await page.locator("h1 .number").bounding_box()
                assert number_box is not None and number_box["height"] < 40  # TJ-2026-0001 on one line
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / "pages-matter-wecom-phone.png"
                await page.screenshot(path=str(shot))
                shutil.copyfile(shot, DOCS / "pages-matter-phone.png")
                await page.screenshot(path=str(ARTIFACTS / "pages-matter-wecom-full.png"), full_page=True)

                await page.click(".your-turn")
                await page.fill("#comment", "材料可容缺受理，请分管领导协调车辆评定")
                await page.screenshot(path=str(ARTIFACTS / "pages-matter-decide-phone.png"))
                await page.click('button[name="action"][value="escalate"]')
                await expect(page.locator("#flash")).to_contain_text("已提级至")
                await expect(page.locator("#levels")).to_contain_text("材料可容缺受理")
                await expect(page.locator("#decide")).to_have_count(0)
                await page.screenshot(path=str(ARTIFACTS / "pages-matter-decided-phone.png"), full_page=True)

                wecom.oauth_userid = "Liminghua"
                deputy = await browser.new_page(viewport=PHONE, locale="zh-CN", user_agent="wxwork/4.1")
                await deputy.goto(f"{base}/m/matters/{matter.number}#decide")
                await deputy.click('button[name="action"][value="escalate"]')
                await expect(deputy.locator("#flash")).to_contain_text("主要领导")

                # The principal: 确认不能办 needs its category and both texts; a missing one is said
                # beside its field and what was typed stays.
                wecom.oauth_userid = "Wangjianguo"
                principal = await browser.new_page(viewport=PHONE, locale="zh-CN", user_agent="wxwork/4.1")
                principal.set_default_timeout(WAIT_MS)
                await principal.goto(f"{base}/m/matters/{matter.number}")
                await principal.click(".your-turn")
                await expect(principal.locator('input[name="refusal_category"]:checked')).to_have_count(0)
                await principal.fill("#comment", "拟投入车辆未取得道路运输证，不具备许可条件")
                await principal.click('button[name="action"][value="confirm_no"]')
                await expect(principal.locator("#way_forward-error")).to_contain_text("说“行”建议")
                await expect(principal.locator("#refusal_category-error")).to_be_visible()
                await expect(principal.locator("#comment")).to_have_value(
                    "拟投入车辆未取得道路运输证，不具备许可条件"
                )
                await principal.locator("#way_forward").scroll_into_view_if_needed()
                await principal.screenshot(path=str(ARTIFACTS / "pages-matter-refusal-error-phone.png"))
                await principal.check('input[name="refusal_category"][value="conditions"]')
                await principal.fill("#way_forward", "车辆取得道路运输证并完成技术等级评定后，可当场受理")
                await principal.click('button[name="action"][value="confirm_no"]')
                await expect(principal.locator("#flash")).to_contain_text("已确认不能办")
                await expect(principal.locator("#levels")).to_contain_text("可当场受理")
                await principal.screenshot(
                    path=str(ARTIFACTS / "pages-matter-refused-phone.png"), full_page=True
                )
            finally:
                await browser.close()
        # The chat follows as after a tap: the head's card is updated, the deputy gets one with the comment.
        task_id = card.card["task_id"]
        await until(lambda: any(u["task_id"] == task_id for u in wecom.updates), "the head's card update")
        update = next(u for u in wecom.updates if u["task_id"] == task_id)
        assert "已提级至" in str(update["template_card"])
        await until(lambda: bool(wecom.cards_to("Liminghua")), "the deputy's card")
        # (the card's room ends there; the comment itself is on the page the card links to)
        assert "股室负责人 陈国庆：提级" in str(wecom.cards_to("Liminghua")[-1].card)


async def test_a_leader_decides_on_the_page_inside_dingtalk_and_the_card_follows(
    chromium: Path, settings: Settings, clock: SimClock, db: None
) -> None:
    from playwright.async_api import Route, async_playwright, expect

    async with running_fake_dingtalk() as fake:
        dd_settings = dingtalk_settings(settings, fake, dingtalk_corp_id="dingcorp123")
        async with running_stack(dd_settings, clock) as stack:
            await stack.import_org()
            matter = await submit(stack, Platform.DINGTALK, "012534410436")  # 何鹏, 执法一中队
            [card] = fake.cards_to("012534400735")  # 许军, the section head
            base = await stack.serve()
            who = {"userid": "012534400735"}

            async def inside_dingtalk(route: Route) -> None:
                """What DingTalk's container answers to dd.requestAuthCode for whoever is signed in to
                the app on this phone (the rest — the posted code, getuserinfo, the session — is real)."""
                code = fake.issue_auth_code(who["userid"])
                script = f"window.dd = {{ requestAuthCode: function () {{ return Promise.resolve({{ code: '{code}' }}); }} }};"
                await route.fulfill(body=script, content_type="application/javascript")

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
                try:
                    page = await browser.new_page(
                        viewport=PHONE, locale="zh-CN", user_agent="DingTalk/7.0.50"
                    )
                    page.set_default_timeout(WAIT_MS)
                    await page.route("**/m/static/vendor/dingtalk-jsapi/dingtalk.min.js", inside_dingtalk)
                    await page.goto(f"{base}/m/matters/{matter.number}")
                    await expect(page.locator("h1 .number")).to_have_text(matter.number)
                    assert fake.auth_codes == {}  # the code was exchanged
                    await page.fill("#comment", "同意，当场办理")
                    await page.click('button[name="action"][value="can_do"]')
                    await expect(page.locator("#flash")).to_contain_text("已确认能办")
                    await expect(page.locator("#levels")).to_contain_text("同意，当场办理")
                    await page.screenshot(
                        path=str(ARTIFACTS / "pages-matter-dingtalk-phone.png"), full_page=True
                    )

                    # The submitter answers the applicant and records it on the same page.
                    who["userid"] = "012534410436"  # 何鹏
                    mine = await browser.new_page(
                        viewport=PHONE, locale="zh-CN", user_agent="DingTalk/7.0.50"
                    )
                    mine.set_default_timeout(WAIT_MS)
                    await mine.route("**/m/static/vendor/dingtalk-jsapi/dingtalk.min.js", inside_dingtalk)
                    await mine.goto(f"{base}/m/matters/{matter.number}#replies")
                    await expect(mine.locator("#reply-form")).to_be_visible()
                    await expect(mine.locator("#callee_phone")).to_have_value("13837799001")
                    await mine.check('input[name="method"][value="phone"]')
                    await mine.fill("#content", "已电话告知：许军股长同意受理，请于明日带齐材料到窗口办理")
                    await mine.locator("#reply-form").scroll_into_view_if_needed()
                    await mine.screenshot(path=str(ARTIFACTS / "pages-matter-reply-phone.png"))
                    await mine.click('#reply-form button[type="submit"]')
                    await expect(mine.locator("#flash")).to_contain_text("已登记电话回复")
                    await expect(mine.locator(".state")).to_have_text("已办结")
                    await mine.screenshot(
                        path=str(ARTIFACTS / "pages-matter-closed-phone.png"), full_page=True
                    )
                finally:
                    await browser.close()
            await until(lambda: bool(card.history), "the head's card update")
            assert "已确认能办" in " ".join(card.view().lines)
            step = await DecisionStep.get(matter_id=matter.id, level=2)
            assert step.comment == "同意，当场办理"
