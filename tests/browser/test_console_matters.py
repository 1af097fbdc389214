"""The console's matters in headless Chromium at desktop 1280×800: the office signs in, finds the
overdue matter through the list's filter, prints its 《说“不”事项提级管理审批表》 to PDF (the
browser's print, A4) and marks a typical case; then the same list, matter and 审批表 on a phone
(390×844), none scrolling sideways. Screenshots go to tests/artifacts/console-matters-*.png."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.settings import Settings
from models.enums import Action, MatterState, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Department, Person
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import Stack, running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PHONE_PAGES = (
    ("/admin/matters?overdue=1", "table.matters", "list"),
    ("/admin/matters/TJ-2026-0001", "#timeline", "detail"),
    ("/admin/matters/TJ-2026-0001/form", "table.form", "form"),
)
PASSWORD = "correct horse battery"
__all__ = ["chromium"]


async def _seed(now: dt.datetime) -> None:
    """An overdue matter at 股室负责人 (after the submitter's 拟说不), one closed on time."""
    submitter = await Person.get(handle="zhangwei")
    head = await Person.get(handle="chenguoqing")
    department = await Department.get(code="ysk")
    day = dt.timedelta(days=1)
    plan = [
        (
            1,
            MatterState.PENDING,
            None,
            now - 6 * day,
            now - day,
            "桐柏县宏达运输有限公司",
            "道路运输经营许可证延续",
        ),
        (2, MatterState.CLOSED, Action.CAN_DO, now - 9 * day, now - 6 * day, "王某某", "从业资格证补办"),
    ]
    for seq, state, outcome, submitted, due, applicant, subject in plan:
        matter = await Matter.create(
            organisation_id=department.organisation_id,
            number=f"TJ-2026-{seq:04d}",
            year=2026,
            seq=seq,
            unit_id=department.unit_id,
            department=department,
            submitter=submitter,
            applicant=applicant,
            applicant_phone="13800001111",
            subject=subject,
            reason="年审材料不全，系统无法受理",
            state=state,
            level=2,
            outcome=outcome,
            decided_level=2 if outcome else None,
            submitted_at=submitted,
            due_at=due,
            decided_at=submitted + day if outcome else None,
            policy_basis="《道路运输条例》第二十四条",
        )
        await DecisionStep.create(
            organisation_id=matter.organisation_id,
            matter=matter,
            level=2,
            approver=head,
            opened_at=submitted,
            status=StepStatus.DECIDED if outcome else StepStatus.PENDING,
            decision=outcome,
            decided_by=head if outcome else None,
            decided_at=submitted + day if outcome else None,
            comment="补齐材料后可办" if outcome else "",
        )


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[Stack, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        await add_account("tongbai-jt", "wangban", PASSWORD, ["office"], now=clock.now(), display_name="王办")
        await _seed(clock.now())
        yield stack, await stack.serve()


async def test_find_an_overdue_matter_print_its_form_and_mark_a_typical_case(
    chromium: Path, served: tuple[Stack, str]
) -> None:
    from playwright.async_api import async_playwright, expect

    _stack, base = served
    ARTIFACTS.mkdir(exist_ok=True)
    refused: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
            page = await context.new_page()
            page.set_default_timeout(WAIT_MS)
            page.on(
                "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
            )
            await page.goto(f"{base}/admin/matters")
            await page.fill("#username", "wangban")
            await page.fill("#password", PASSWORD)
            await page.click("button[type=submit]")
            await expect(page).to_have_url(f"{base}/admin/matters")
            await expect(page.locator("table.matters tbody tr")).to_have_count(2)

            await page.check("input[name=overdue]")
            await page.click("form.filters button[type=submit]")
            await expect(page).to_have_url(re.compile(r"/admin/matters\?.*overdue=1"))
            await expect(page.locator(".filters-line")).to_contain_text("筛选条件：仅逾期")
            rows = page.locator("table.matters tbody tr")
            await expect(rows).to_have_count(1)
            await expect(rows.first).to_have_class("red")
            await page.screenshot(path=str(ARTIFACTS / "console-matters-overdue.png"), full_page=True)

            await rows.first.locator("a").first.click()
            await expect(page.locator("h1")).to_contain_text("TJ-2026-0001")
            await expect(page.locator("#timeline")).to_contain_text("送股室负责人审批：陈国庆")
            await page.screenshot(path=str(ARTIFACTS / "console-matters-detail.png"), full_page=True)

            await page.click("text=打印审批表")
            await expect(page.locator("h1")).to_have_text("说“不”事项提级管理审批表")
            await expect(page.locator("table.form")).to_contain_text("股室负责人：陈国庆")
            await page.screenshot(path=str(ARTIFACTS / "console-matters-form.png"), full_page=True)
            pdf = ARTIFACTS / "console-matters-form.pdf"
            await page.emulate_media(media="print")
            await page.screenshot(path=str(ARTIFACTS / "console-matters-form-print.png"), full_page=True)
            await page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
            data = pdf.read_bytes()
            assert data.startswith(b"%PDF") and len(data) > 10_000
            assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 1
            await page.emulate_media(media="screen")

            await page.goto(f"{base}/admin/matters/TJ-2026-0002")
            await page.fill("#note", "首问责任人一次性告知所需材料，当日办结。")
            await page.click("button[value=mark]")
            await expect(page.locator(".notice[role=status]")).to_contain_text("已标记为典型案例")
            await expect(page.locator("#timeline")).to_contain_text("标记为典型案例")
            await page.goto(f"{base}/admin/cases")
            await expect(page.locator("main")).to_contain_text("首问责任人一次性告知所需材料")
            await page.screenshot(path=str(ARTIFACTS / "console-matters-cases.png"), full_page=True)

            phone = await browser.new_context(
                viewport=PHONE, locale="zh-CN", storage_state=await context.storage_state()
            )
            small = await phone.new_page()
            small.set_default_timeout(WAIT_MS)
            for path, shown, name in PHONE_PAGES:
                await small.goto(f"{base}{path}")
                await expect(small.locator(shown)).to_be_visible()
                await small.screenshot(
                    path=str(ARTIFACTS / f"console-matters-{name}-phone.png"), full_page=True
                )
                wide = await small.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"{path}: the page scrolls sideways on a phone ({wide}px)"
        finally:
            await browser.close()
    assert refused == []
    marked = await Matter.get(number="TJ-2026-0002")
    assert marked.showcase and marked.showcase_note.startswith("首问责任人")
