"""The console's 组织与链条, 事项清单, 制度 and 日历 pages in headless Chromium, on a desktop
(1280×800) and a phone (390×844): the office signs in (the simulator's “以此身份打开”), reads each
page, sets a stand-in and a calendar override through the forms. Screenshots go to
tests/artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.org import Unit
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
__all__ = ["chromium"]


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[Stack, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        yield stack, await stack.serve()


async def test_the_office_reads_and_edits_the_org_catalog_rules_and_calendar(
    chromium: Path, served: tuple[Stack, str]
) -> None:
    from playwright.async_api import async_playwright, expect

    _, base = served
    bureau = await Unit.get(code="bureau")
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for name, viewport in VIEWPORTS.items():
                page = await browser.new_page(viewport=viewport, locale="zh-CN")  # type: ignore[arg-type]
                page.set_default_timeout(WAIT_MS)
                await page.goto(f"{base}/sim/open-as/zhouwenbin")
                await page.goto(f"{base}/admin/org")
                await expect(page.locator("h1")).to_have_text("组织与链条")
                await expect(page.locator("#unit-1")).to_contain_text("陈国庆")
                await page.screenshot(path=str(ARTIFACTS / f"console-org-{name}.png"))

                await page.goto(f"{base}/admin/catalog")
                await expect(page.locator("main")).to_contain_text("公路超限运输许可")
                await page.screenshot(path=str(ARTIFACTS / f"console-catalog-{name}.png"))

                await page.goto(f"{base}/admin/rules/{bureau.id}")
                await expect(page.locator("main")).to_contain_text("主要领导")
                await page.screenshot(path=str(ARTIFACTS / f"console-rules-{name}.png"))

                await page.goto(f"{base}/admin/calendar?year=2026")
                await expect(page.locator('td[data-date="2026-10-01"]')).to_have_class("off holiday")
                await page.screenshot(path=str(ARTIFACTS / f"console-calendar-{name}.png"))
                await page.close()

            # Through the forms, on the phone: a stand-in, then a calendar override.
            page = await browser.new_page(viewport=VIEWPORTS["phone"], locale="zh-CN")  # type: ignore[arg-type]
            page.set_default_timeout(WAIT_MS)
            await page.goto(f"{base}/sim/open-as/zhouwenbin")
            await page.goto(f"{base}/admin/org#stand-ins")
            await page.select_option("#si-person", label="王建国（党组书记、局长）")
            await page.select_option("#si-stand-in", label="李明华（党组成员、副局长）")
            await page.fill("#si-start", "2026-12-14")
            await page.fill("#si-end", "2026-12-18")
            await page.fill("#si-reason", "赴省厅汇报")
            await page.click("text=保存代理安排")
            await expect(page.locator(".flash")).to_have_text("已保存代理安排。")
            await expect(page.locator("#stand-ins")).to_contain_text("赴省厅汇报")

            await page.goto(f"{base}/admin/calendar?year=2026")
            await page.fill("#cal-date", "2026-12-07")
            await page.fill("#cal-note", "县政府通知：全县停电检修")
            await page.click("text=保存调整")
            await expect(page.locator(".flash")).to_contain_text("已保存日历调整")
            await expect(page.locator('td[data-date="2026-12-07"]')).to_have_class("off holiday override")
            await page.locator("#overrides").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / "console-calendar-override-phone.png"), full_page=True)
        finally:
            await browser.close()
