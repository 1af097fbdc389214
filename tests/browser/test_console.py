"""The console in headless Chromium: a local account signs in (after one wrong password), the
overview shows the seeded matters' 预警 and charts at desktop 1280×800 and phone 390×844, with no
Content Security Policy refusal and no sideways scrolling on the phone. Screenshots go to
tests/artifacts/console-*.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from models.enums import Action, MatterState
from models.matter import Matter
from models.org import Department, Person
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"
__all__ = ["chromium"]


async def _seed(now: dt.datetime) -> None:
    """A few matters of the example org: overdue, due soon, owing a reply, refused last quarter."""
    submitter = await Person.get(handle="zhangwei")
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    plan = [
        ("ysk", MatterState.PENDING, 2, None, now - 2 * day, now - hour),
        ("ysk", MatterState.PENDING, 3, None, now - 9 * day, now + 3 * hour),
        ("xzsp", MatterState.PENDING, 2, None, now - hour, now + 3 * day),
        ("xzsp", MatterState.RESOLVED, 3, Action.CAN_DO, now - 4 * day, now + 6 * hour),
        ("gl-yhg", MatterState.REFUSED, 4, Action.CONFIRM_NO, now - 5 * day, now - day),
        ("gl-lzg", MatterState.CLOSED, 4, Action.CONFIRM_NO, now - 70 * day, now - 67 * day),
    ]
    for seq, (code, state, level, outcome, submitted, due) in enumerate(plan, start=1):
        department = await Department.get(code=code)
        await Matter.create(
            organisation_id=department.organisation_id, number=f"TJ-2026-{seq:04d}", year=2026, seq=seq,
            unit_id=department.unit_id, department=department, submitter=submitter, applicant="桐柏县宏达运输有限公司",
            applicant_phone="13800001111", subject="道路运输经营许可证延续", reason="年审材料不全", state=state,
            level=level, outcome=outcome, submitted_at=submitted, due_at=due, decided_at=submitted if outcome else None,
        )  # fmt: skip


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[Stack, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        await add_account("tongbai-jt", "wangban", PASSWORD, ["office"], now=clock.now(), display_name="王办")
        await _seed(clock.now())
        yield stack, await stack.serve()


async def test_sign_in_and_the_overview_on_a_desktop_and_a_phone(
    chromium: Path, served: tuple[Stack, str]
) -> None:
    from playwright.async_api import Page, async_playwright, expect

    _stack, base = served
    ARTIFACTS.mkdir(exist_ok=True)
    refused: list[str] = []

    async def sign_in(page: Page, shot: str | None) -> None:
        await page.goto(f"{base}/admin")
        await expect(page).to_have_url(f"{base}/admin/signin?next=/admin")
        await page.fill("#username", "wangban")
        await page.fill("#password", "not the password")
        await page.click("button[type=submit]")
        await expect(page.locator("#signin-error")).to_contain_text("用户名或密码不正确")
        if shot:
            await page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await expect(page).to_have_url(f"{base}/admin")

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
                context = await browser.new_context(viewport=viewport, locale="zh-CN")
                page = await context.new_page()
                page.set_default_timeout(WAIT_MS)
                page.on(
                    "console",
                    lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
                )
                await sign_in(page, f"console-signin-{name}.png")
                main = page.locator("main")
                await expect(main.locator("h1")).to_contain_text("总览")
                await expect(page.locator("header")).to_contain_text("王办")
                await expect(page.locator("#tile-overdue-steps")).to_have_class("tile red")
                await expect(page.locator("#tile-overdue-steps .figure")).to_have_text("1")
                await expect(page.locator("#tile-yellow-steps .figure")).to_have_text("1")
                await expect(page.locator("#tile-due-today .figure")).to_have_text("1")
                await expect(page.locator("#sections svg a")).to_have_count(8)  # 4 sections x 2 quarters
                await expect(page.locator("#trend svg circle")).to_have_count(6)
                href = await page.locator("#tile-overdue-steps").get_attribute("href")
                assert href == "/admin/matters?state=pending&overdue=1"
                await page.screenshot(path=str(ARTIFACTS / f"console-dashboard-{name}.png"), full_page=True)
                wide = await page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"], f"{name}: the page scrolls sideways ({wide}px)"
                await context.close()
        finally:
            await browser.close()
    assert refused == []
