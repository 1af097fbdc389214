"""The 纪检组's cases: the office refers a complaint with a note; the 纪检组 records its findings,
the accountability decisions (责任追究: person, measure, date) and closes the case.

Each change runs in one transaction and writes a row of the complaint's timeline with its
``complaint.discipline_<what>`` audit row (``bot.complaints.events.record``)."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.complaints.events import record
from bot.discipline.workflow import (
    MEASURE_TITLES,
    OPEN_STATES,
    DisciplineAction,
    DisciplineError,
    next_state,
)
from models.complaints import Complaint
from models.discipline import Accountability, AccountabilityMeasure, DisciplineCase, DisciplineState
from models.org import Person

MAX_NOTE = 2000
MAX_FINDINGS = 5000
MAX_PAST_DAYS = 3660  # a decision dated more than ten years back is a typing slip


async def _timeline(case: DisciplineCase, actor: str, what: str, text: str, at: dt.datetime) -> None:
    complaint = await Complaint.get_or_none(id=case.complaint_id or 0, organisation_id=case.organisation_id)
    if complaint is not None:
        await record(complaint, actor, f"discipline_{what}", text, at)


async def open_case_of(complaint: Complaint) -> DisciplineCase | None:
    """The complaint's case still with the 纪检组 (referred or under investigation), if any."""
    return await DisciplineCase.get_or_none(
        complaint_id=complaint.id, organisation_id=complaint.organisation_id, state__in=list(OPEN_STATES)
    )


async def refer_complaint(complaint: Complaint, note: str, *, actor: str, now: dt.datetime) -> DisciplineCase:
    """移送纪检组: a new case about ``complaint`` (its section and linked matter with it)."""
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise DisciplineError(f"请填写移送说明：涉嫌什么违规、有何材料（不超过 {MAX_NOTE} 字）")
    async with in_transaction():
        # The complaint's row is locked, so two referrals at once cannot both find no open case.
        await Complaint.filter(id=complaint.id).select_for_update().first()
        if await open_case_of(complaint) is not None:
            raise DisciplineError(f"投诉 {complaint.number} 已移送纪检组，正在查处，不能重复移送")
        case = await DisciplineCase.create(
            organisation_id=complaint.organisation_id,
            complaint_id=complaint.id,
            matter_id=complaint.matter_id,
            department_id=complaint.department_id,
            note=note,
            referred_by=actor[:64],
            referred_at=now,
            state=DisciplineState.REFERRED,
        )
        await record(complaint, actor, "discipline_refer", f"移送纪检组（案件 {case.id}）：{note}", now)
    return case


async def record_findings(case: DisciplineCase, findings: str, *, actor: str, now: dt.datetime) -> None:
    """调查结论 (a later one replaces the earlier; the timeline keeps both)."""
    findings = findings.strip()
    if not findings or len(findings) > MAX_FINDINGS:
        raise DisciplineError(f"请填写调查结论（不超过 {MAX_FINDINGS} 字）")
    state = next_state(case.state, DisciplineAction.RECORD_FINDINGS)
    async with in_transaction():
        case.state, case.findings, case.findings_by, case.findings_at = state, findings, actor[:64], now
        await case.save(update_fields=["state", "findings", "findings_by", "findings_at"])
        await _timeline(case, actor, "findings", f"纪检组调查结论：{findings}", now)


async def hold_accountable(
    case: DisciplineCase,
    person_id: int,
    measure: AccountabilityMeasure | None,
    decided_on: dt.date | None,
    *,
    actor: str,
    now: dt.datetime,
    today: dt.date,
) -> Accountability:
    """责任追究: ``person_id`` (a person of the organisation), ``measure``, the decision's date."""
    problems = []
    person = await Person.get_or_none(id=person_id, organisation_id=case.organisation_id)
    if person is None:
        problems.append("请选择被追究责任的人员")
    if measure is None:
        problems.append("请选择追究方式")
    if decided_on is None or decided_on > today or (today - decided_on).days > MAX_PAST_DAYS:
        problems.append("请填写决定日期（YYYY-MM-DD，不晚于今天）")
    if problems or person is None or measure is None or decided_on is None:
        raise DisciplineError("；".join(problems))
    next_state(case.state, DisciplineAction.HOLD_ACCOUNTABLE)
    async with in_transaction():
        row = await Accountability.create(
            organisation_id=case.organisation_id,
            case_id=case.id,
            person_id=person.id,
            measure=measure,
            decided_on=decided_on,
            recorded_by=actor[:64],
            recorded_at=now,
        )
        text = f"责任追究：{person.name}，{MEASURE_TITLES[measure]}（{decided_on:%Y-%m-%d} 决定）"
        await _timeline(case, actor, "accountability", text, now)
    return row


async def close_case(case: DisciplineCase, *, actor: str, now: dt.datetime) -> None:
    """结案 (needs the findings; the decisions recorded so far are the case's outcome)."""
    state = next_state(case.state, DisciplineAction.CLOSE)
    count = await Accountability.filter(case_id=case.id).count()
    async with in_transaction():
        case.state, case.closed_by, case.closed_at = state, actor[:64], now
        await case.save(update_fields=["state", "closed_by", "closed_at"])
        outcome = f"追究 {count} 人" if count else "未追究责任"
        await _timeline(case, actor, "close", f"纪检组结案（{outcome}）", now)
