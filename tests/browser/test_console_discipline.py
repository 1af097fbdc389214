"""The 纪检组 in headless Chromium (desktop): the office refers a complaint from its page; the
纪检组 opens its case list, records findings and a 责任追究 decision, and the case and the
complaint's timeline show it; no CSP refusal. Screenshot: tests/artifacts/console-discipline-desktop.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from tests.browser.test_console import DESKTOP
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
        await add_account(
            "tongbai-jt", "jijian", PASSWORD, ["discipline"], now=clock.now(), display_name="纪检"
        )
        yield await stack.serve()


async def _sign_in(page: Any, base: str, path: str, username: str) -> None:
    await page.goto(f"{base}{path}")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")


async def test_the_discipline_group_records_accountability_on_a_referred_complaint(
    chromium: Path, served: str
) -> None:
    from playwright.async_api import async_playwright, expect

    base = served
    ARTIFACTS.mkdir(exist_ok=True)
    refused: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            office = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = await office.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on(
                "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
            )
            await _sign_in(page, base, "/admin/complaints", "wangban")
            await page.select_option("#channel", "visit")
            await page.fill("#complainant", "刘先生")
            await page.fill("#phone", "13800001111")
            await page.fill("#complaint-content", "窗口推诿，说办不了也不登记")
            await page.click("#register button[type=submit]")
            await expect(page.locator("main h1")).to_contain_text("TS-2026-0001")
            await page.fill("#refer-note", "股室推诿，涉嫌不作为")
            await page.click("#refer-form button[type=submit]")
            await expect(page.locator("#discipline")).to_contain_text("已移送")
            await office.close()

            jijian = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = await jijian.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on(
                "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
            )
            await _sign_in(page, base, "/admin/discipline", "jijian")
            await expect(page.locator("#cases")).to_contain_text("TS-2026-0001")
            await page.click("#cases a:has-text('案件')")
            await page.fill("#findings", "经查，窗口未登记即答复不能办，情况属实")
            await page.click("#findings-form button[type=submit]")
            await expect(page.locator("#findings-text")).to_contain_text("情况属实")
            await page.select_option("#person", index=1)
            chosen = await page.locator("#person option:checked").inner_text()
            await page.select_option("#measure", "admonition")
            await page.click("#accountability-form button[type=submit]")
            await expect(page.locator("#decisions")).to_contain_text("诫勉谈话")
            await expect(page.locator("#decisions")).to_contain_text(chosen.split("（")[0])
            await page.screenshot(path=str(ARTIFACTS / "console-discipline-desktop.png"), full_page=True)
            await page.click("#case a:has-text('TS-2026-0001')")
            await expect(page.locator("#timeline")).to_contain_text("责任追究")
            await jijian.close()
        finally:
            await browser.close()
    assert refused == []
