"""The public progress lookup in headless Chromium on a phone: a complainant enters the complaint
number and the phone's last four digits, sees the feedback, rates it (满意 + 部分解决) and adds one
追评; no CSP refusal, no sideways scrolling. Screenshots: tests/artifacts/public-lookup-*.png."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.complaints.feedback import parse_report, report_back
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import assign_complaint
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.complaint_feedback import ComplaintFeedback, Satisfaction, Solved
from models.complaints import Complaint, ComplaintState
from models.org import Department, Organisation
from tests.browser.test_console import PHONE
from tests.browser.test_sim_flow import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, chromium
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
__all__ = ["chromium"]
FORM = {"channel": "web_form", "complainant": "刘先生", "phone": "13800004321", "content": "办证被拒"}


@pytest.fixture
async def served(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[tuple[str, str, str]]:
    async with running_stack(settings, clock) as stack:
        await stack.import_org()
        organisation = await Organisation.get(code="tongbai-jt")
        department = await Department.filter(organisation_id=organisation.id, head_id__isnull=False).first()
        assert department is not None
        now = clock.now()
        complaint = await register_complaint(organisation.id, parse_complaint_form(FORM), actor="office",
                                             now=now, year=now.year)  # fmt: skip
        calendar = await load_calendar(settings, organisation.id, today=now.date())
        batch = OutboxBatch(settings, organisation, now)
        await assign_complaint(complaint, department.id, 5, calendar, batch, actor="office")
        await Complaint.filter(id=complaint.id).update(state=ComplaintState.DONE)
        report = parse_report("phone", "", "已为您补办道路运输证，请到窗口领取", now=now, tz=settings.tz)
        await report_back(await Complaint.get(id=complaint.id), report, actor="office", now=now)
        yield await stack.serve(), organisation.code, complaint.number


async def test_a_complainant_looks_up_and_rates_the_feedback_on_a_phone(
    chromium: Path, served: tuple[str, str, str]
) -> None:
    from playwright.async_api import async_playwright, expect

    base, code, number = served
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
            await page.goto(f"{base}/public/{code}/lookup")
            await page.fill("#number", number.lower())
            await page.fill("#phone", "0000")
            await page.click("#lookup button[type=submit]")
            await expect(page.locator("#lookup-message")).to_contain_text("没有查到匹配的记录")
            await page.fill("#phone", "4321")
            await page.click("#lookup button[type=submit]")
            await expect(page.locator("#progress-state")).to_have_text("已反馈，待评价")
            await expect(page.locator("#progress-answer")).to_contain_text("已为您补办道路运输证")
            await page.screenshot(path=str(ARTIFACTS / "public-lookup-found.png"), full_page=True)
            await page.check("input[name=satisfaction][value=satisfied]")
            await page.check("input[name=solved][value=partly]")
            await page.fill("#comment", "<b>办得快</b>")
            await page.click("#rate button[type=submit]")
            await expect(page.locator("#lookup-done")).to_contain_text("感谢您的评价")
            await expect(page.locator("#progress-rating")).to_contain_text("<b>办得快</b>")
            await page.fill("#follow_up", "证已领到")
            await page.click("#follow-up button[type=submit]")
            await expect(page.locator("#progress-rating")).to_contain_text("证已领到")
            await page.screenshot(path=str(ARTIFACTS / "public-lookup-rated.png"), full_page=True)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE["width"], f"the page scrolls sideways ({wide}px)"
            await context.close()
        finally:
            await browser.close()
    assert refused == []
    feedback = await ComplaintFeedback.get(complaint__number=number)
    assert (feedback.satisfaction, feedback.solved, feedback.follow_up) == (
        Satisfaction.SATISFIED, Solved.PARTLY, "证已领到")  # fmt: skip
