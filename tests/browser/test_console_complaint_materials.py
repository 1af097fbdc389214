"""A complaint's materials in headless Chromium on a phone: the office registers a complaint with a
photo and a PDF and 交办 it, lands on its page listing both, adds one more there, and opens a file;
no CSP refusal, no sideways scrolling. Screenshots: tests/artifacts/complaint-materials-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from models.org import Department, Person
from tests.browser.test_console import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.handlers.web.pages.test_new import JPEG, PDF, PNG
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


async def test_the_office_registers_a_complaint_with_materials_on_a_phone(
    chromium: Path, served: str, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    photo, letter, more = (
        tmp_path / "现场照片.jpg",
        tmp_path / "不予受理告知书.pdf",
        tmp_path / "补充截图.png",
    )
    photo.write_bytes(JPEG)
    letter.write_bytes(PDF)
    more.write_bytes(PNG)
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
            await page.goto(f"{served}/admin/complaints")
            await page.fill("#username", "wangban")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await page.select_option("#channel", "visit")
            await page.fill("#complainant", "刘先生")
            await page.fill("#phone", "13800001111")
            await page.fill("#complaint-content", "办理道路运输证延续时被口头告知不能办，附现场照片和告知书")
            await page.set_input_files("#reg-files", [str(photo), str(letter)])
            await page.select_option("#reg-department", index=1)
            await page.evaluate("window.scrollTo(0, 0)")
            await page.screenshot(
                path=str(ARTIFACTS / "complaint-materials-register-phone.png"), full_page=True
            )
            await page.click("#register button[type=submit]")
            await expect(page.locator("main h1")).to_contain_text("TS-2026-0001")
            materials = page.locator("#materials")
            await expect(materials).to_contain_text("现场照片.jpg")
            await expect(materials).to_contain_text("不予受理告知书.pdf")
            await page.set_input_files("#material-files", [str(more)])
            await page.click("#materials button[type=submit]")
            await expect(materials).to_contain_text("补充截图.png")
            await expect(page.locator("#timeline")).to_contain_text("上传材料 2 个")
            await page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top, not over the list
            await page.screenshot(path=str(ARTIFACTS / "complaint-materials-phone.png"), full_page=True)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"the page scrolls sideways ({wide}px)"
            href = await materials.locator("a").first.get_attribute("href")
            assert href is not None
            opened = await page.request.get(f"{served}{href}")
            assert opened.status == 200 and opened.headers["content-type"] == "image/jpeg"
            assert await opened.body() == JPEG
            await context.close()
            # The section head (the first section in the form's list) opens the complaint on a phone.
            section = await Department.all().order_by("code").first()
            assert section is not None and section.head_id is not None
            head = await Person.get(id=section.head_id)
            context = await browser.new_context(viewport=PHONE, locale="zh-CN")
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            await page.goto(f"{served}/sim/open-as/{head.handle}?next=/m/complaints/TS-2026-0001")
            await expect(page.locator("#materials")).to_contain_text("补充截图.png")
            await expect(page.locator("#complainant-phone")).to_have_attribute("href", "tel:13800001111")
            await expect(page.locator("#steps")).to_contain_text("交办")
            await page.screenshot(
                path=str(ARTIFACTS / "complaint-materials-section-phone.png"), full_page=True
            )
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"the section's page scrolls sideways ({wide}px)"
            await context.close()
        finally:
            await browser.close()
    assert refused == []
