"""Issue #13's named test: a complaint's whole path through the real product (web app, router,
outbox, the real arq worker). A citizen complains on the public form without an account → it lands
in the ledger → the office 交办 it to 运输管理股 → the section head's card in the simulator: 签收,
办结 with the feedback → the office reports back to the complainant → the complainant rates it on
the lookup page (满意, but only 部分解决) → the office refers it to the 纪检组 → findings and 责任追究
→ the year's assessment and the quarter's ledger figures count it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.matters.watchlist import Scope
from bot.reports.assessment import year_assessment
from bot.reports.stats import quarter_stats
from bot.settings import Settings
from models.complaint_feedback import ComplaintFeedback, RatingSource, Satisfaction, Solved
from models.complaints import Complaint, ComplaintEvent, ComplaintState
from models.discipline import Accountability, AccountabilityMeasure, DisciplineCase
from models.org import Department, Organisation, Person
from tests.handlers.test_complaint_path_sim import HTML, _csrf, _head_card, _open_as
from tests.handlers.test_flow_sim import click, say
from tests.support.stack import Stack, running_stack

pytestmark = pytest.mark.timeout(180)
STAMP = re.compile(r'name="started" value="([^"]+)"')
RECEIPT = re.compile(r"TS-\d{4}-\d{4,}")


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def _complain_in_public(stack: Stack, clock: SimClock, code: str) -> str:
    """A visitor fills in the public form (taking a person's time) and reads the receipt's number."""
    form = await (await stack.client.get(f"/public/{code}/complaint", headers=HTML)).text()
    csrf, stamp = re.search(r'name="csrf" value="([^"]+)"', form), STAMP.search(form)
    assert csrf and stamp
    clock.advance(dt.timedelta(seconds=30))
    fields = {"csrf": csrf.group(1), "started": stamp.group(1), "complainant": "刘先生", "phone": "13800005678",
              "company": "桐柏顺达物流", "content": "办理道路运输证被窗口口头告知不能办，没有说原因"}  # fmt: skip
    receipt = await stack.client.post(f"/public/{code}/complaint", data=fields, headers=HTML)
    assert receipt.status == 200, await receipt.text()
    found = RECEIPT.search(await receipt.text())
    assert found, "the receipt shows no number"
    return found.group(0)


async def _post(stack: Stack, page: str, action: str, **fields: str) -> None:
    response = await stack.client.post(action, data={"csrf": await _csrf(stack, page), **fields},
                                       headers=HTML, allow_redirects=False)  # fmt: skip
    assert response.status in (302, 303), await response.text()


async def _section_handles_it(stack: Stack, number: str, head: Person) -> None:
    await stack.drain()
    card = await _head_card(stack, head.handle)
    assert number in str(card["title"])
    assert [link["label"] for link in card["links"]] == ["查看投诉详情"]  # type: ignore[attr-defined]
    assert f"/m/complaints/{number}" in str(card["links"][0]["url"])  # type: ignore[index]
    keys = {b["text"]: b["key"] for b in card["buttons"]}  # type: ignore[attr-defined]
    assert (await click(stack, head.handle, str(card["ref"]), keys["签收"]))["ok"]
    assert (await click(stack, head.handle, str(card["ref"]), keys["办结"]))["ok"]
    await say(stack, head.handle, "已当场受理并补办道路运输证，电话告知投诉人")
    assert (await _head_card(stack, head.handle))["closed"]
    await _open_as(stack, head.handle)  # the card's link: the section's phone page
    page = await (await stack.client.get(f"/m/complaints/{number}", headers=HTML)).text()
    assert (
        "已办结" in page
        and 'href="tel:13800005678"' in page
        and "签收" in page
        and "已当场受理并补办" in page
    )


async def _complainant_rates(stack: Stack, code: str, number: str) -> None:
    """The complainant looks the complaint up with the phone's last four digits and rates it."""
    page = await stack.client.get(f"/public/{code}/lookup", params={"number": number, "phone": "5678"},
                                  headers=HTML)  # fmt: skip
    text = await page.text()
    assert page.status == 200 and "已反馈，待评价" in text and "运输证已补办，可到窗口领取" in text
    csrf = re.search(r'name="csrf" value="([^"]+)"', text)
    assert csrf
    rated = await stack.client.post(f"/public/{code}/lookup/rate", headers=HTML, data={
        "csrf": csrf.group(1), "number": number, "satisfaction": "satisfied", "solved": "partly",
        "comment": "证办下来了，但还要跑一趟"})  # fmt: skip
    assert rated.status == 200 and "感谢您的评价" in await rated.text()


async def test_a_public_complaint_goes_from_the_form_to_accountability_and_the_figures(
    stack: Stack, clock: SimClock
) -> None:
    organisation = await Organisation.get(code="tongbai-jt")
    section = await Department.get(organisation_id=organisation.id, code="ysk")
    head, office = await Person.get(handle="chenguoqing"), await Person.get(handle="fengxue")
    number = await _complain_in_public(stack, clock, organisation.code)
    assert (await Complaint.get(number=number)).state is ComplaintState.REGISTERED

    await _open_as(stack, office.handle)
    page = f"/admin/complaints/{number}"
    assert "办理道路运输证被窗口口头告知不能办" in await (await stack.client.get(page, headers=HTML)).text()
    await _post(stack, page, f"{page}/assign", department=str(section.id), days="5")
    await _section_handles_it(stack, number, head)
    complaint = await Complaint.get(number=number)
    assert complaint.state is ComplaintState.DONE and complaint.feedback.startswith("已当场受理")

    await _open_as(stack, office.handle)
    await _post(stack, page, f"{page}/feedback/report", method="phone", told_at="",
                summary="电话告知刘先生：运输证已补办，可到窗口领取")  # fmt: skip
    await _complainant_rates(stack, organisation.code, number)
    feedback = await ComplaintFeedback.get(complaint_id=complaint.id)
    assert (feedback.satisfaction, feedback.solved, feedback.rating_source) == (
        Satisfaction.SATISFIED, Solved.PARTLY, RatingSource.COMPLAINANT,
    )  # fmt: skip

    await _open_as(stack, office.handle)
    await _post(stack, page, f"/admin/discipline/refer/{number}", note="窗口未登记即口头答复不能办")
    case = await DisciplineCase.get(complaint_id=complaint.id)
    await _open_as(stack, "tangweidong")
    case_page = f"/admin/discipline/{case.id}"
    assert number in await (await stack.client.get("/admin/discipline", headers=HTML)).text()
    await _post(stack, case_page, f"{case_page}/findings", findings="经查，窗口未登记即答复不能办，属实")
    today = clock.now().astimezone(stack.resources.settings.tz).date()
    await _post(stack, case_page, f"{case_page}/accountability", person=str(head.id),
                measure=AccountabilityMeasure.ADMONITION.value, decided_on=today.isoformat())  # fmt: skip
    assert await Accountability.filter(case_id=case.id, person_id=head.id).count() == 1

    whats = [e.what for e in await ComplaintEvent.filter(complaint_id=complaint.id).order_by("id")]
    assert whats[0] == "register" and {"assign", "sign", "finish", "discipline_refer",
                                       "discipline_findings", "discipline_accountability"} <= set(whats)  # fmt: skip
    settings = stack.resources.settings
    assessment = await year_assessment(organisation.id, Scope("全局", whole_organisation=True), today.year,
                                       tz=settings.tz, now=clock.now(), step_limit_hours=24)  # fmt: skip
    row = next(r for r in assessment.sections if r.label == section.name)
    assert (row.complaints, row.bad_ratings, row.referred, row.accountable) == (1, 0, 1, 1)  # 满意: no 差评
    calendar = await load_calendar(settings, organisation.id, today=today)
    ledger = (
        await quarter_stats(organisation.id, Quarter.containing(today), calendar, now=clock.now())
    ).ledger
    counts = ledger.sections[section.id]
    assert (counts.received, counts.assigned, counts.done_on_time, counts.referred) == (1, 1, 1, 1)
