"""Signing in to the phone pages in headless Chromium at 390×844: through WeCom's OAuth2 redirect
against the fake WeCom API, through DingTalk's free-login code against the fake DingTalk API, and
through the simulator's “以此身份打开”; the simulator's phone findings (issue 11 item 8) on the
page itself. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.fakes.dingtalk_openapi import running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
PHONE = {"width": 390, "height": 844}
__all__ = ["chromium"]


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


async def test_wecom_oauth_sign_in_in_a_phone_browser(
    chromium: Path, settings: Settings, clock: SimClock, db: None, wecom: FakeWeCom
) -> None:
    from playwright.async_api import async_playwright, expect

    wecom.oauth_userid = "Zhangwei"
    wecom_settings = settings.model_copy(update={**wecom_fields(wecom), "wecom_oauth_base": wecom.base_url})
    async with running_stack(wecom_settings, clock) as stack:
        await stack.import_org()
        base = await stack.serve()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(
                    viewport=PHONE, locale="zh-CN", user_agent="Mozilla/5.0 wxwork/4.1"
                )
                page.set_default_timeout(WAIT_MS)
                await page.goto(f"{base}/m/me")
                await expect(page.locator("main")).to_contain_text("张伟")
                await expect(page.locator("main")).to_contain_text("运输管理股")
                assert page.url.split("#")[0] == f"{base}/m/me"  # WeCom keeps its #wechat_redirect
                assert wecom.oauth_redirects[-1]["scope"] == "snsapi_base"
                cookie = next(c for c in await page.context.cookies() if c["name"] == "tiji_session")
                assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / "pages-me-wecom-phone.png"))

                # Someone the org file does not know gets a page in Chinese, not a traceback.
                outsider = await browser.new_page(viewport=PHONE, locale="zh-CN", user_agent="wxwork/4.1")
                wecom.oauth_userid = "Stranger"
                await outsider.goto(f"{base}/m/me")
                await expect(outsider.locator("h1")).to_have_text("不在组织架构中")
                await outsider.screenshot(path=str(ARTIFACTS / "pages-signin-outsider-phone.png"))
            finally:
                await browser.close()


async def test_dingtalk_free_login_in_a_phone_browser(
    chromium: Path, settings: Settings, clock: SimClock, db: None
) -> None:
    from playwright.async_api import Route, async_playwright, expect

    async with running_fake_dingtalk() as fake:
        dd_settings = dingtalk_settings(settings, fake, dingtalk_corp_id="dingcorp123")
        async with running_stack(dd_settings, clock) as stack:
            await stack.import_org()
            base = await stack.serve()
            code = fake.issue_auth_code("012534070901")  # 王建国
            asked: list[str] = []

            async def inside_dingtalk(route: Route) -> None:
                """What the DingTalk app's container answers to dd.requestAuthCode (the rest of
                the flow — the posted code, user/getuserinfo, the session — is the real one)."""
                asked.append(route.request.url)
                script = (
                    "window.dd = { requestAuthCode: function (o) { window.ddAsked = o;"
                    f" return Promise.resolve({{ code: '{code}' }}); }} }};"
                )
                await route.fulfill(body=script, content_type="application/javascript")

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
                try:
                    page = await browser.new_page(
                        viewport=PHONE, locale="zh-CN", user_agent="DingTalk/7.0.50"
                    )
                    page.set_default_timeout(WAIT_MS)
                    await page.route("**/m/static/vendor/dingtalk-jsapi/dingtalk.min.js", inside_dingtalk)
                    await page.goto(f"{base}/m/me")
                    await expect(page.locator("main")).to_contain_text("王建国")
                    assert page.url.split("#")[0] == f"{base}/m/me"  # WeCom keeps its #wechat_redirect
                    assert asked, "the page loads the vendored dingtalk-jsapi"
                    assert fake.auth_codes == {}  # exchanged at topapi/v2/user/getuserinfo
                    ARTIFACTS.mkdir(exist_ok=True)
                    await page.screenshot(path=str(ARTIFACTS / "pages-me-dingtalk-phone.png"))

                    # Outside the DingTalk app (no dd), the page says where to open it.
                    plain = await browser.new_page(viewport=PHONE, locale="zh-CN")
                    await plain.goto(f"{base}/m/signin?via=dingtalk")
                    await expect(plain.locator("#signin-status")).to_contain_text("请在钉钉里打开本页")
                finally:
                    await browser.close()


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[Stack, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        yield stack, await stack.serve()


async def test_the_simulator_on_a_phone(chromium: Path, served: tuple[Stack, str]) -> None:
    from playwright.async_api import async_playwright, expect

    stack, base = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE, locale="zh-CN")
            page.set_default_timeout(WAIT_MS)
            await page.goto(f"{base}/sim")
            await expect(page.locator("#people")).to_contain_text("运输管理股")

            # The header and tabs leave the phone its screen.
            tabs = await page.locator(".tabs").bounding_box()
            assert tabs is not None and tabs["y"] + tabs["height"] <= 120, tabs  # was 330 of 844

            # 39 people: a search narrows them.
            await page.fill("#people-search", "陈国庆")
            await expect(page.locator("#people button.person")).to_have_count(1)
            await page.fill("#people-search", "纪检")
            await expect(page.locator("#people button.person").first).to_contain_text("唐卫东")
            await page.fill("#people-search", "")

            # Changing #p= switches person without a reload.
            await page.evaluate("location.hash = '#p=zhangwei'")
            await expect(page.locator("#me")).to_contain_text("张伟")
            await page.evaluate("location.hash = '#p=chenguoqing'")
            await expect(page.locator("#me")).to_contain_text("陈国庆")

            # The input says how it sends; Enter sends.
            placeholder = await page.locator("#text").get_attribute("placeholder")
            assert placeholder is not None and "Ctrl" not in placeholder and "回车发送" in placeholder
            await expect(page.locator("#send")).to_be_visible()
            await page.fill("#text", "帮助")
            await page.press("#text", "Enter")
            await expect(page.locator("#conversation .item.in").last).to_contain_text("帮助")
            await expect(page.locator("#text")).to_have_value("")
            await expect(page.locator("#conversation .item.out").last).to_be_visible()
            await page.screenshot(path=str(ARTIFACTS / "sim-chat-phone.png"))

            # The clock: a simulated time (kept across restarts) is marked; 回到现在 brings it back.
            await expect(page.locator("#clock-offset")).to_contain_text("模拟·")
            await page.click("#clock-menu summary")
            await page.screenshot(path=str(ARTIFACTS / "sim-clock-menu-phone.png"))
            await page.click("#reset-clock")
            await expect(page.locator("#clock-offset")).to_be_hidden()
            await page.click("#clock-menu summary")
            await page.click('button[data-advance="P1D"]')
            await expect(page.locator("#clock-offset")).to_contain_text("模拟·快1天")

            # In the group: a markdown quote is a quote, and numbers and dates stay whole.
            from bot.messengers.simulator import build_messenger
            from bot.outbound import GroupTarget
            from models.org import GroupChannel

            office = await GroupChannel.get(code="office")
            target = GroupTarget(group_id=office.id, code=office.code, name=office.name)
            text = "**报送确认**\n> 已核对，TJ-2026-0001 等 3 件，截止 2026-12-31 17:30，电话 13837701009"
            await build_messenger(stack.resources).post_to_group(
                target, text, attachment=None, dedupe_key="q1"
            )
            await page.click('.tabs button[data-tab="groups"]')
            await page.locator("#groups button[data-group]").filter(has_text=office.name).click()
            quote = page.locator("#group-view blockquote").last
            await expect(quote).to_contain_text("已核对")
            assert ">" not in (await quote.text_content() or "")
            for whole in ("TJ-2026-0001", "2026-12-31 17:30", "13837701009"):
                await expect(quote.locator("span.nowrap").filter(has_text=whole)).to_have_count(1)
                box = await quote.locator("span.nowrap").filter(has_text=whole).bounding_box()
                assert box is not None and box["height"] < 30, (whole, box)  # one line
            await page.screenshot(path=str(ARTIFACTS / "sim-group-quote-phone.png"))

            # 以此身份打开: the phone pages as the chosen person.
            await page.click('.tabs button[data-tab="people"]')
            async with page.context.expect_page() as opened:
                await page.locator('#people a[data-open-as="chenguoqing"]').click()
            pages = await opened.value
            await pages.wait_for_url(f"{base}/m/todo")  # the person's own 待办
            await pages.goto(f"{base}/m/me")
            await expect(pages.locator("main")).to_contain_text("陈国庆")
            await pages.screenshot(path=str(ARTIFACTS / "pages-me-sim-phone.png"))
        finally:
            await browser.close()
