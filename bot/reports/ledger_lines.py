"""The ledger's rows for its .xlsx (台账导出): one line per complaint with every field and its
outcome, read 500 complaints at a time (keyset on the id) with their sections, linked matters,
merges, 纪检组 cases, 责任追究 decisions and 回访 rounds — a few queries per chunk, never the whole ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tortoise.queryset import QuerySet

from bot.complaints.workflow import CHANNEL_TITLES, STATE_TITLES
from bot.discipline.workflow import MEASURE_TITLES
from bot.discipline.workflow import STATE_TITLES as CASE_TITLES
from bot.reports.ledger_feedback import FeedbackColumns, feedback_columns
from models.complaints import Complaint
from models.discipline import Accountability, DisciplineCase

CHUNK = 500


@dataclass(frozen=True)
class LedgerLine:
    number: str
    registered_at: dt.datetime
    channel: str
    complainant: str
    phone: str
    company: str
    content: str
    matter: str
    state: str
    section: str
    deadline_at: dt.datetime | None
    answer: str
    answer_method: str
    feedback: str
    extension_reason: str
    merged_into: str
    no_matter_on_file: str
    registered_by: str
    updated_at: dt.datetime
    referral: str  # 移送纪检组: date, state and note of each case
    findings: str
    accountability: str  # 责任人·方式·日期, one per line
    report: str  # 回访 (`bot.reports.ledger_feedback`): method·time, one line per round
    report_summary: str
    satisfaction: str  # 好差评 as given (never overwritten by a ruling)
    solved: str
    rated_by: str
    follow_up: str  # 追评
    rework: str  # 发回重办: reason and 整改 deadline
    appeal: str  # 申诉
    ruling: str  # the office's ruling on the 申诉


def _local(moment: dt.datetime | None, tz: ZoneInfo) -> dt.datetime | None:
    return None if moment is None else moment.astimezone(tz)


async def _cases(
    ids: list[int], tz: ZoneInfo
) -> tuple[dict[int, list[DisciplineCase]], dict[int, list[str]]]:
    cases: dict[int, list[DisciplineCase]] = defaultdict(list)
    for case in await DisciplineCase.filter(complaint_id__in=ids).order_by("referred_at", "id"):
        cases[case.complaint_id or 0].append(case)
    decisions: dict[int, list[str]] = defaultdict(list)
    case_ids = [c.id for group in cases.values() for c in group]
    rows = Accountability.filter(case_id__in=case_ids or [-1]).order_by("decided_on", "id")
    for row in await rows.prefetch_related("person"):
        decisions[row.case_id].append(
            f"{row.person.name}·{MEASURE_TITLES[row.measure]}·{row.decided_on:%Y-%m-%d}"
        )
    return cases, decisions


def _line(
    c: Complaint,
    cases: list[DisciplineCase],
    decisions: dict[int, list[str]],
    feedback: FeedbackColumns,
    tz: ZoneInfo,
) -> LedgerLine:
    referral = "\n".join(
        f"{k.referred_at.astimezone(tz):%Y-%m-%d} {CASE_TITLES[k.state]}：{k.note}" for k in cases
    )
    return LedgerLine(
        number=c.number,
        registered_at=c.created_at.astimezone(tz),
        channel=CHANNEL_TITLES[c.channel],
        complainant=c.complainant,
        phone=c.phone,
        company=c.company,
        content=c.content,
        matter=c.matter.number if c.matter else "",
        state=STATE_TITLES[c.state],
        section=c.department.name if c.department else "",
        deadline_at=_local(c.deadline_at, tz),
        answer=c.answer,
        answer_method=c.answer_method,
        feedback=c.feedback,
        extension_reason=c.extension_reason,
        merged_into=c.merged_into.number if c.merged_into else "",
        no_matter_on_file="是" if c.no_matter_on_file else "",
        registered_by=c.registered_by,
        updated_at=c.updated_at.astimezone(tz),
        referral=referral,
        findings="\n".join(k.findings for k in cases if k.findings),
        accountability="\n".join(d for k in cases for d in decisions.get(k.id, [])),
        report=feedback.report,
        report_summary=feedback.summary,
        satisfaction=feedback.satisfaction,
        solved=feedback.solved,
        rated_by=feedback.rated_by,
        follow_up=feedback.follow_up,
        rework=feedback.rework,
        appeal=feedback.appeal,
        ruling=feedback.ruling,
    )


async def ledger_lines(query: QuerySet[Complaint], tz: ZoneInfo) -> AsyncIterator[LedgerLine]:
    """The complaints of ``query`` (already scoped and filtered) in number order."""
    after = 0
    while True:
        chunk = (
            await query.filter(id__gt=after)
            .order_by("id")
            .limit(CHUNK)
            .prefetch_related("department", "matter", "merged_into")
        )
        if not chunk:
            return
        ids = [c.id for c in chunk]
        cases, decisions = await _cases(ids, tz)
        feedback = await feedback_columns(ids, tz)
        for c in chunk:
            yield _line(c, cases.get(c.id, []), decisions, feedback.get(c.id, FeedbackColumns()), tz)
        after = chunk[-1].id
