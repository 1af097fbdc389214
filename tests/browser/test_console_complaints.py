"""The complaints ledger in headless Chromium: the office registers a complaint on a phone and a
desktop, lands on its page with the timeline, and the ledger lists it; no CSP refusal, no sideways
scrolling on the phone. Screenshots: tests/artifacts/console-complaints-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from tests.browser.test_console import DESKTOP, PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
PASSWORD = "correct horse battery"
__all__ = ["chromium"]


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[str]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        await add_account("tongbai-jt", "wangban", PASSWORD, ["office"], now=clock.now(), display_name="王办")
        yield await stack.serve()


async def test_the_office_registers_a_complaint_on_a_phone_and_a_desktop(chromium: Path, served: str) -> None:
    from playwright.async_api import async_playwright, expect

    base = served
    ARTIFACTS.mkdir(exist_ok=True)
    refused: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for n, (viewport, name) in enumerate(((PHONE, "phone"), (DESKTOP, "desktop")), start=1):
                context = await browser.new_context(viewport=viewport, locale="zh-CN")
                page = await context.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on(
                    "console",
                    lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
                )
                await page.goto(f"{base}/admin/complaints")
                await page.fill("#username", "wangban")
                await page.fill("#password", PASSWORD)
                await page.click("button[type=submit]")
                await expect(page.locator("main h1")).to_contain_text("办不成事投诉台账")
                await page.select_option("#channel", "hotline_12345")
                await page.fill("#complainant", "<b>刘先生</b>")
                await page.fill("#phone", "13800001111")
                await page.fill("#company", "桐柏县宏达运输有限公司")
                await page.fill("#complaint-content", "办理道路运输证延续时被告知不能办")
                await page.click("#register button[type=submit]")
                await expect(page.locator("main h1")).to_contain_text(f"TS-2026-{n:04d}")
                await expect(page.locator("#complaint")).to_contain_text("<b>刘先生</b>")
                await expect(page.locator("#timeline")).to_contain_text("登记投诉")
                await page.screenshot(path=str(ARTIFACTS / f"console-complaints-{name}.png"), full_page=True)
                wide = await page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], f"{name}: the page scrolls sideways ({wide}px)"
                await page.goto(f"{base}/admin/complaints")
                await expect(page.locator("#ledger")).to_contain_text(f"TS-2026-{n:04d}")
                await context.close()
        finally:
            await browser.close()
    assert refused == []
