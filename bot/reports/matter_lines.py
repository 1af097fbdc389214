"""The per-matter lines of a quarter's table (事项明细): every matter accepted in the quarter as it
stood at the cutoff — each level's decision and time, the result, the 说“行”建议, the reply and how
late it was. Read a chunk of matters at a time (keyset on the id), so memory stays bounded."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from bot.calendar.workdays import WorkCalendar
from bot.matters.views import LEVEL_TITLES
from bot.reports.figures import DECIDING, LEVELS, scope, utc
from bot.reports.stats import QuarterStats
from models.enums import ACTION_TITLES, REPLY_METHOD_TITLES, WITHDRAW_REASON_TITLES, Action, StepStatus
from models.matter import DecisionStep, Matter, ReplyRecord
from models.org import Person

CHUNK = 500
YIELD_EVERY = 50  # lines made between two turns of the event loop while the next chunk is read


@dataclass(frozen=True)
class LevelLine:
    decision: str = ""  # e.g. 提级（李股长）；会商 steps joined by “；”
    at: dt.datetime | None = None  # local time of the level's (last) decision
    hours: float | None = None  # working hours the level took (the lead step's)


@dataclass(frozen=True)
class MatterLine:
    number: str
    submitted_at: dt.datetime  # local
    unit: str
    section: str
    applicant: str
    subject: str
    reason: str
    result: str
    way_forward: str
    reply_method: str
    replied_at: dt.datetime | None
    overdue_days: int | None  # working days past the reply deadline; None: withdrawn or not yet due
    levels: dict[int, LevelLine] = field(default_factory=dict)


class _DaysLate:
    """Working days from the due day to an end's day, at least 1 once past the deadline; counted
    once per pair of days (a chunk's matters share a few due days and one cutoff, and counting day
    by day for each was most of a workbook's time after the cell styles)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self.known: dict[tuple[dt.date, dt.date], int] = {}

    def __call__(self, due_at: dt.datetime, end: dt.datetime) -> int:
        days = self.calendar.local_date(due_at), self.calendar.local_date(end)
        if days not in self.known:
            day, last, late = *days, 0
            while day < last:
                day += dt.timedelta(days=1)
                late += self.calendar.is_workday(day)
            self.known[days] = max(late, 1)
        return self.known[days]


def _result(matter: Matter, cutoff: dt.datetime) -> str:
    if matter.decided_at is not None and matter.decided_at < cutoff and matter.outcome in DECIDING:
        title = ACTION_TITLES[Action(matter.outcome)]
        level = LEVEL_TITLES.get(matter.decided_level or 0, "")
        return f"{title}（{level}）" if matter.outcome is Action.CAN_DO and level else title
    if matter.withdrawn_at is not None and matter.withdrawn_at < cutoff:
        reason = WITHDRAW_REASON_TITLES[matter.withdraw_reason] if matter.withdraw_reason else "其他"
        return f"撤回（{reason}）"
    return f"在办（{LEVEL_TITLES.get(matter.level, '')}审批中）"


def _level(steps: list[DecisionStep], names: dict[int, str], cutoff: dt.datetime, tz: dt.tzinfo) -> LevelLine:
    words, times, hours = [], [], None
    for step in steps:
        name = names.get(step.decided_by_id or step.approver_id, "")
        if (
            step.status is StepStatus.DECIDED
            and step.decided_at
            and step.decided_at < cutoff
            and step.decision
        ):
            words.append(f"{ACTION_TITLES[step.decision]}（{name}）")
            times.append(step.decided_at)
            if step.working_hours is not None and (hours is None or step.lead):
                hours = float(step.working_hours)
        elif step.status is StepStatus.OVERDUE:
            words.append(f"逾期未答复（{name}）")
        elif step.status is not StepStatus.SUPERSEDED:
            words.append(f"审批中（{name}）")
    at = max(times).astimezone(tz) if times else None
    return LevelLine("；".join(words), at, hours)


def _overdue(
    matter: Matter, replied: ReplyRecord | None, days_late: _DaysLate, cutoff: dt.datetime
) -> int | None:
    if (
        matter.withdrawn_at is not None
        and matter.withdrawn_at < cutoff
        and matter.withdrawn_at <= matter.due_at
    ):
        return None
    end = replied.recorded_at if replied is not None else cutoff
    if end > matter.due_at:
        return days_late(matter.due_at, end)
    return 0 if replied is not None else None


@dataclass
class _Chunk:
    """A chunk of matters with what their lines need from the database."""

    matters: list[Matter]
    steps: dict[int, list[DecisionStep]]
    replies: dict[int, ReplyRecord]
    names: dict[int, str]


async def _read_chunk(stats: QuarterStats, unit_id: int | None, after_id: int, size: int) -> _Chunk:
    """Up to ``size`` matters of the quarter (of one unit) after ``after_id``, with their steps,
    replies and the names of the people who decided."""
    window, cutoff = stats.window, stats.cutoff
    matters = (
        await Matter.filter(
            submitted_at__gte=utc(window.start),
            submitted_at__lt=utc(window.end),
            id__gt=after_id,
            **scope(stats.organisation_id, unit_id),
        )
        .order_by("id")
        .limit(size)
    )
    chunk = _Chunk(matters, {}, {}, {})
    if not matters:
        return chunk
    ids = [m.id for m in matters]
    for step in await DecisionStep.filter(matter_id__in=ids, opened_at__lt=utc(cutoff)).order_by(
        "level", "id"
    ):
        chunk.steps.setdefault(step.matter_id, []).append(step)
    for reply in await ReplyRecord.filter(matter_id__in=ids, recorded_at__lt=utc(cutoff)).order_by(
        "-recorded_at"
    ):
        chunk.replies[reply.matter_id] = reply  # the first one wins (read last)
    people = {s.decided_by_id or s.approver_id for group in chunk.steps.values() for s in group}
    if people:
        chunk.names = dict(await Person.filter(id__in=people).values_list("id", "name"))
    return chunk


def _chunk_lines(chunk: _Chunk, stats: QuarterStats, calendar: WorkCalendar) -> list[MatterLine]:
    cutoff, tz = stats.cutoff, stats.tz
    matters, steps, replies, names = chunk.matters, chunk.steps, chunk.replies, chunk.names
    units = {u.unit_id: u.name for u in stats.units}
    sections = {s.department_id: s.name for u in stats.units for s in u.sections}
    lines = []
    days_late = _DaysLate(calendar)
    for m in matters:
        by_level = {}
        for level in LEVELS:
            at_level = [s for s in steps.get(m.id, []) if s.level == level]
            by_level[level] = _level(at_level, names, cutoff, tz) if at_level else LevelLine()
        found = replies.get(m.id)
        refused = m.outcome is Action.CONFIRM_NO and m.decided_at is not None and m.decided_at < cutoff
        lines.append(
            MatterLine(
                number=m.number,
                submitted_at=m.submitted_at.astimezone(tz),
                unit=units.get(m.unit_id, ""),
                section=sections.get(m.department_id, ""),
                applicant=m.applicant,
                subject=m.subject,
                reason=m.reason,
                result=_result(m, cutoff),
                way_forward=m.way_forward if refused else "",
                reply_method=REPLY_METHOD_TITLES[found.method] if found else "",
                replied_at=found.recorded_at.astimezone(tz) if found else None,
                overdue_days=_overdue(m, found, days_late, cutoff),
                levels=by_level,
            )
        )
    return lines


async def matter_lines(
    stats: QuarterStats, calendar: WorkCalendar, unit_id: int | None = None, *, limit: int | None = None
) -> AsyncIterator[MatterLine]:
    """The quarter's matters (of one unit), in the order they were accepted; at most ``limit``.

    The next chunk is read while this one's lines are made and written (its statements run in the
    database while this process works): one after the other, each waited for the other."""
    given = 0

    def read(after_id: int) -> asyncio.Task[_Chunk] | None:
        size = CHUNK if limit is None else min(CHUNK, limit - given)
        return asyncio.create_task(_read_chunk(stats, unit_id, after_id, size)) if size > 0 else None

    reading = read(0)
    try:
        while reading is not None:
            chunk = await reading
            if not chunk.matters:
                return
            given += len(chunk.matters)
            reading = read(chunk.matters[-1].id)
            await asyncio.sleep(0)  # the next chunk's first statement goes out before this chunk's work
            for n, line in enumerate(_chunk_lines(chunk, stats, calendar), start=1):
                yield line
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # lets the next chunk's statements follow one another
    finally:
        if reading is not None and not reading.done():
            reading.cancel()
            await asyncio.wait([reading])
