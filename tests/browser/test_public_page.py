"""The public page and its complaint form in headless Chromium on a phone (390×844), without
signing in: the catalog and the chains show, an empty form is answered beside each field, a filled
one gives the TS-… receipt with the lookup link; no CSP refusal, no sideways scrolling.
Screenshots: tests/artifacts/public-page*.png, public-form-errors.png, public-receipt.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.complaints import Complaint, ComplaintChannel
from tests.browser.test_console import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
__all__ = ["chromium"]
FILL_TIME = dt.timedelta(seconds=20)  # on the app's clock: a person takes longer than the minimum


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[str]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        yield await stack.serve()


async def test_a_citizen_reads_the_page_and_complains_on_a_phone(
    chromium: Path, served: str, clock: SimClock
) -> None:
    from playwright.async_api import async_playwright, expect

    ARTIFACTS.mkdir(exist_ok=True)
    refused: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE, locale="zh-CN")
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on(
                "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
            )
            await page.goto(f"{served}/public/tongbai-jt")
            await expect(page.locator("main h1")).to_contain_text("说“不”事项提级管理公示")
            await expect(page.locator("#catalog")).to_contain_text("事项清单")
            await expect(page.locator("#sections")).to_contain_text("股室负责人")
            await expect(page.locator("#lookup a")).to_have_attribute("href", "/public/tongbai-jt/lookup")
            await page.screenshot(path=str(ARTIFACTS / "public-page.png"), full_page=True)
            await page.screenshot(path=str(ARTIFACTS / "public-page-top.png"))  # what a phone shows first
            await page.locator("#sections").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / "public-page-sections.png"))
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"the page scrolls sideways ({wide}px)"
            honeypot = await page.locator("#website").bounding_box()  # off the screen for people
            assert honeypot is not None and honeypot["x"] + honeypot["width"] <= 0

            clock.advance(FILL_TIME)
            await page.click("#complaint button[type=submit]")
            await expect(page.locator("#complainant-error")).to_have_text("请填写您的姓名")
            await expect(page.locator("#content-error")).to_have_text("请填写反映的问题")
            await page.locator("#complainant").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / "public-form-errors.png"))

            await page.fill("#complainant", "刘先生")
            await page.fill("#phone", "13800001111")
            await page.fill("#company", "桐柏县宏达运输有限公司")
            await page.fill("#content", "办理道路运输证延续时被窗口告知不能办，没有说明原因")
            clock.advance(FILL_TIME)
            await page.click("#complaint button[type=submit]")
            await expect(page.locator("#receipt h1")).to_have_text("您的投诉已收到")
            number = (await page.locator(".receipt").inner_text()).strip()
            await page.screenshot(path=str(ARTIFACTS / "public-receipt.png"), full_page=True)
            await expect(page.get_by_role("link", name="查询进度")).to_have_attribute(
                "href", "/public/tongbai-jt/lookup"
            )
            await context.close()
        finally:
            await browser.close()
    assert refused == []
    complaint = await Complaint.get(number=number)
    assert complaint.channel is ComplaintChannel.WEB_FORM and complaint.complainant == "刘先生"
