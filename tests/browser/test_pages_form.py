"""Submitting a matter by the phone form in headless Chromium at 390×844: signed in through the
simulator's “以此身份打开”, a wrong phone number shown beside its field with everything else kept,
then the corrected form with a photo attached lands on the matter's page; the attachment is
listed and opens. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from models.attachments import Attachment
from models.matter import Matter
from tests.browser.test_pages_signin import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium, served
from tests.support.stack import Stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
__all__ = ["chromium", "served"]


def tiny_png() -> bytes:
    """A real 2×2 PNG (what a phone's camera roll would hold, only smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x14\x56\xf0" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def test_submit_a_matter_by_the_form_with_a_photo(
    chromium: Path, served: tuple[Stack, str], tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    _stack, base = served
    photo = tmp_path / "营业执照.png"
    photo.write_bytes(tiny_png())
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport=PHONE, locale="zh-CN")
            page.set_default_timeout(WAIT_MS)
            await page.goto(f"{base}/sim/open-as/zhangwei?next=/m/new")
            await expect(page.locator("h1")).to_have_text("说“不”事项提级")
            await expect(page.locator("#f-catalog_code")).to_contain_text("YS-01 道路旅客运输经营许可")
            await page.screenshot(path=str(ARTIFACTS / "pages-new-empty-phone.png"), full_page=True)

            await page.fill("#f-applicant", "桐柏县宏达运输有限公司")
            await page.fill("#f-phone", "1380000")
            await page.fill("#f-subject", "道路货物运输经营许可延续")
            await page.fill("#f-reason", "年审材料不全，缺车辆二级维护记录")
            await page.select_option("#f-catalog_code", "YS-02")
            await page.click("details.co-departments summary")
            await page.check("input[name=co_departments][value=xzsp]")
            await page.set_input_files("#f-files", str(photo))
            await page.click("button[type=submit]")
            await expect(page.locator("#phone-error")).to_contain_text("联系电话“1380000”格式不对")
            await expect(page.locator("#f-applicant")).to_have_value("桐柏县宏达运输有限公司")
            await expect(page.locator("#f-catalog_code")).to_have_value("YS-02")
            await expect(page.locator("input[name=co_departments][value=xzsp]")).to_be_checked()
            await expect(page.locator("#files-error")).to_contain_text("重新选择附件")
            assert await Matter.all().count() == 0 and await Attachment.all().count() == 0
            await page.locator("#f-phone").scroll_into_view_if_needed()
            await page.screenshot(path=str(ARTIFACTS / "pages-new-refused-phone.png"))

            await page.fill("#f-phone", "13800001111")
            await page.set_input_files("#f-files", str(photo))
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/m/matters/TJ-2026-0001")
            matter = await Matter.get(number="TJ-2026-0001")
            assert (matter.applicant_phone, len(matter.co_department_ids)) == ("13800001111", 1)
            [attachment] = await Attachment.filter(matter_id=matter.id)
            assert (attachment.filename, attachment.content_type) == ("营业执照.png", "image/png")

            await page.goto(f"{base}/m/matters/TJ-2026-0001/attachments")
            await expect(page.locator("ul.attachments")).to_contain_text("营业执照.png")
            await page.screenshot(path=str(ARTIFACTS / "pages-attachments-phone.png"))
            opened = await page.request.get(f"{base}/m/attachments/{attachment.id}")
            assert opened.status == 200 and opened.headers["content-type"] == "image/png"
        finally:
            await browser.close()
