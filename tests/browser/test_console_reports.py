"""The office runs the quarter's table from the console in desktop Chromium: signs in with a
local account, opens 2026Q4's table (the filters printed on it), downloads the .xlsx and opens it
with openpyxl, reminds a unit; the same page on a phone (390×844) does not scroll sideways.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from tests.bot.jobs.test_duties import at
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, FORM, WAIT_MS, chromium
from tests.handlers.test_flow_sim import say
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "bangong-2027-Q1-report"
__all__ = ["chromium"]


async def test_the_office_opens_the_quarter_table_and_downloads_it(
    chromium: Path, settings: Settings, clock: SimClock, db: None, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        clock.set(at(2026, 12, 1, 9, 0))
        await say(stack, "zhangwei", FORM)  # pending at the quarter's end
        clock.set(at(2027, 1, 4, 9, 30))
        await stack.tick()  # the digest goes out and the units' report tasks open
        await add_account(
            "tongbai-jt", "bangong", PASSWORD, ["office"], now=clock.now(), display_name="办公室账号"
        )
        base = await stack.serve()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            try:
                page = await browser.new_page(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
                page.set_default_timeout(WAIT_MS)
                await page.goto(f"{base}/admin/reports")
                await page.fill("#username", "bangong")
                await page.fill("#password", PASSWORD)
                await page.click("button[type=submit].primary")
                await page.wait_for_url(f"{base}/admin/reports")
                table = page.locator("section.report-table")
                await expect(table).to_contain_text("筛选条件：季度：2026Q4；全部单位")
                await expect(table.locator("tfoot")).to_contain_text("合计")
                await expect(page.locator("main")).to_contain_text("在办事项（1 件）")
                await expect(page.locator("main")).to_contain_text("各单位报送情况")
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / "console-reports-desktop.png"), full_page=True)

                async with page.expect_download() as caught:
                    await page.click("text=下载 .xlsx")
                download = await caught.value
                assert download.suggested_filename == "说不事项提级管理汇总表_2026Q4.xlsx"
                saved = tmp_path / download.suggested_filename
                await download.save_as(saved)
                book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
                assert book.sheetnames[0] == "全局汇总" and book.sheetnames[-1] == "事项明细"
                assert book["事项明细"]["A5"].value == "TJ-2026-0001"
                assert book["全局汇总"].page_setup.orientation == "landscape"

                await page.locator("table.report-status button", has_text="提醒").first.click()
                await expect(page.locator(".notice")).to_contain_text("已提醒")
                await page.screenshot(
                    path=str(ARTIFACTS / "console-reports-reminded-desktop.png"), full_page=True
                )

                phone = await browser.new_page(
                    viewport=PHONE, locale="zh-CN", storage_state=await page.context.storage_state()
                )
                phone.set_default_timeout(WAIT_MS)
                await phone.goto(f"{base}/admin/reports")
                await expect(phone.locator("section.report-table")).to_contain_text("合计")
                await phone.screenshot(path=str(ARTIFACTS / "console-reports-phone.png"), full_page=True)
                wide = await phone.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"the reports page scrolls sideways on a phone ({wide}px)"
            finally:
                await browser.close()
