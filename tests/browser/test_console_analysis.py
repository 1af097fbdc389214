"""分析研判 and 考核 in headless Chromium, on a desktop (1280×800) and a phone (390×844), signed in
as the office, over the seeded 2026Q4 (`tests.support.analysis_seed`); a figure opens the matter
list with its filters. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.clock import SimClock
from bot.runtime.resources import Resources
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.analysis_seed import NOW, seed
from tests.support.console import console_app
from tests.support.pages import SIGN_IN_ROUTE, _sign_in_by_id

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
__all__ = ["chromium"]


async def test_the_office_reads_the_analysis_and_the_assessment(
    chromium: Path, resources: Resources, clock: SimClock
) -> None:
    from playwright.async_api import async_playwright, expect

    seeded = await seed()
    clock.set(NOW)
    app = console_app(resources)
    app.router.add_get("/test/sign-in/{person_id}", _sign_in_by_id, name=SIGN_IN_ROUTE)
    server = TestServer(app)
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    office = seeded.o.people["office"]
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                for name, viewport in VIEWPORTS.items():
                    page = await browser.new_page(viewport=viewport, locale="zh-CN")
                    page.set_default_timeout(WAIT_MS)
                    await page.goto(f"{base}/test/sign-in/{office.id}")
                    await page.goto(f"{base}/admin/analysis?quarter=2026Q4")
                    await expect(page.locator("h1")).to_have_text("分析研判 · 2026年第4季度")
                    await expect(page.locator("main")).to_contain_text("样本不足")
                    await page.screenshot(
                        path=str(ARTIFACTS / f"console-analysis-{name}.png"), full_page=True
                    )
                    await page.goto(f"{base}/admin/assessment?year=2026")
                    await expect(page.locator("main")).to_contain_text("李股长")
                    await page.screenshot(
                        path=str(ARTIFACTS / f"console-assessment-{name}.png"), full_page=True
                    )
                    await page.close()
                page = await browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
                await page.goto(f"{base}/test/sign-in/{office.id}")
                await page.goto(f"{base}/admin/analysis?quarter=2026Q4")
                await page.get_by_role("link", name="不能办但未引用政策依据").click()
                await page.wait_for_url("**/admin/matters?**")
                assert page.url.endswith("/admin/matters?quarter=2026Q4&no_legal_basis=1")
            finally:
                await browser.close()
    finally:
        await server.close()
