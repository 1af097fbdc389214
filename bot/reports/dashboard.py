"""The console's overview (总览) in a handful of ``GROUP BY`` queries: open matters by level and
age, the 预警 of deadlines (overdue red, within a working day yellow), the figures of matters
submitted in this quarter against the last and the quarters before (the trend of refusals), the
sections' bars, the replies due today and the units whose quarterly table is not confirmed.

Every figure counts matters within ``where`` (``bot.matters.scoping.matters_in``: the viewer's
organisation and scope) and is counted by the database: nothing here loads all matters. The
matters list (``/admin/matters``) reads the same filters, so each figure opens the matters behind it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q
from tortoise.functions import Count

from bot.calendar.quarters import Quarter
from bot.calendar.warnings import office_day_hours
from bot.calendar.workdays import WorkCalendar
from bot.matters.views import LEVEL_TITLES, Level
from models.enums import Action, MatterState
from models.matter import Matter

OWING = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)
OWED_REPLY = (MatterState.RESOLVED, MatterState.REFUSED)
LEVELS = (Level.SECTION_HEAD, Level.DEPUTY, Level.PRINCIPAL)
TREND_QUARTERS = 6


@dataclass(frozen=True)
class AgeBucket:
    """Days since submission (calendar days): ``low`` ≤ age < ``high`` (no upper end when None)."""

    key: str
    label: str
    low: int
    high: int | None


AGE_BUCKETS = (
    AgeBucket("d0", "1 天内", 0, 1),
    AgeBucket("d1", "1–3 天", 1, 3),
    AgeBucket("d3", "3–7 天", 3, 7),
    AgeBucket("d7", "7 天以上", 7, None),
)


@dataclass(frozen=True)
class OpenRow:
    """Open matters at one level (being decided) or owing the applicant's reply, by age."""

    label: str
    state: MatterState
    level: int | None
    ages: tuple[int, ...]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.ages)


@dataclass(frozen=True)
class Deadlines:
    """预警: matters being decided past their deadline (by level) or within a working day of it,
    and replies owed past the deadline (by state) or within a working day of it."""

    overdue_steps: dict[int, int]
    yellow_steps: int
    overdue_replies: dict[MatterState, int]
    yellow_replies: int

    @property
    def overdue_steps_total(self) -> int:
        return sum(self.overdue_steps.values())

    @property
    def overdue_replies_total(self) -> int:
        return sum(self.overdue_replies.values())


@dataclass(frozen=True)
class QuarterFigures:
    """The matters submitted in a quarter and what became of them: decided 能办 / 确认不能办,
    withdrawn, still being decided (审批中) and now past their deadline, still owing (逾期)."""

    quarter: Quarter
    submitted: int = 0
    can_do: int = 0
    refused: int = 0
    withdrawn: int = 0
    open: int = 0
    overdue: int = 0


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)  # as stored: SQLite compares the stored text


async def open_matters(where: Q, now: dt.datetime) -> list[OpenRow]:
    """One row per level being decided (2, 3, 4) and per owed reply (能办 / 确认不能办)."""
    aggregates: dict[str, Any] = {"overdue": Count("id", _filter=Q(due_at__lt=_utc(now)))}
    for bucket in AGE_BUCKETS:
        span: dict[str, Any] = {"submitted_at__lte": _utc(now - dt.timedelta(days=bucket.low))}
        if bucket.high is not None:
            span["submitted_at__gt"] = _utc(now - dt.timedelta(days=bucket.high))
        aggregates[bucket.key] = Count("id", _filter=Q(**span))
    rows = (
        await Matter.filter(where, state__in=list(OWING))
        .annotate(**aggregates)
        .group_by("state", "level")
        .values("state", "level", *aggregates)
    )
    found: dict[tuple[str, int | None], dict[str, int]] = {}
    for row in rows:
        state = MatterState(row["state"])
        key = (state.value, int(row["level"]) if state is MatterState.PENDING else None)
        into = found.setdefault(key, dict.fromkeys(aggregates, 0))
        for name in aggregates:
            into[name] += int(row[name] or 0)
    shape: list[tuple[str, MatterState, int | None]] = [
        (f"{LEVEL_TITLES[level]}审批中", MatterState.PENDING, int(level)) for level in LEVELS
    ]
    shape += [("能办，待回复", MatterState.RESOLVED, None), ("确认不能办，待回复", MatterState.REFUSED, None)]
    out = []
    for label, state, level in shape:
        counts = found.get((state.value, level), dict.fromkeys(aggregates, 0))
        ages = tuple(counts[b.key] for b in AGE_BUCKETS)
        out.append(OpenRow(label, state, level, ages, counts["overdue"]))
    return out


def yellow_edge(calendar: WorkCalendar, now: dt.datetime) -> dt.datetime:
    """Deadlines up to this moment are within one working day (黄色预警)."""
    return calendar.add_working_hours(now, office_day_hours(calendar))


async def deadlines(where: Q, calendar: WorkCalendar, now: dt.datetime) -> Deadlines:
    edge = yellow_edge(calendar, now)
    aggregates: dict[str, Any] = {
        "red": Count("id", _filter=Q(due_at__lt=_utc(now))),
        "yellow": Count("id", _filter=Q(due_at__gte=_utc(now), due_at__lte=_utc(edge))),
    }
    rows = (
        await Matter.filter(where, state__in=list(OWING))
        .annotate(**aggregates)
        .group_by("state", "level")
        .values("state", "level", "red", "yellow")
    )
    steps: dict[int, int] = {int(level): 0 for level in LEVELS}
    replies: dict[MatterState, int] = dict.fromkeys(OWED_REPLY, 0)
    yellow_steps = yellow_replies = 0
    for row in rows:
        state = MatterState(row["state"])
        if state is MatterState.PENDING:
            steps[int(row["level"])] = steps.get(int(row["level"]), 0) + int(row["red"] or 0)
            yellow_steps += int(row["yellow"] or 0)
        else:
            replies[state] += int(row["red"] or 0)
            yellow_replies += int(row["yellow"] or 0)
    return Deadlines(steps, yellow_steps, replies, yellow_replies)


def in_quarter(quarter: Quarter, tz: ZoneInfo) -> Q:
    """Submitted in ``quarter`` (as the matters list's ``quarter=`` filter counts)."""
    return Q(submitted_at__gte=_utc(quarter.start_at(tz)), submitted_at__lt=_utc(quarter.end_at(tz)))


def _quarter_aggregates(index: int, quarter: Quarter, tz: ZoneInfo, now: dt.datetime) -> dict[str, Any]:
    inside = in_quarter(quarter, tz)
    late = Q(state__in=list(OWING), due_at__lt=_utc(now))  # as the list's overdue=1
    return {
        f"submitted_{index}": Count("id", _filter=inside),
        f"can_do_{index}": Count("id", _filter=inside & Q(outcome=Action.CAN_DO)),
        f"refused_{index}": Count("id", _filter=inside & Q(outcome=Action.CONFIRM_NO)),
        f"withdrawn_{index}": Count("id", _filter=inside & Q(state=MatterState.WITHDRAWN)),
        f"open_{index}": Count("id", _filter=inside & Q(state=MatterState.PENDING)),
        f"overdue_{index}": Count("id", _filter=inside & late),
    }


async def quarter_figures(
    where: Q, quarters: Sequence[Quarter], tz: ZoneInfo, now: dt.datetime
) -> list[QuarterFigures]:
    """The figures of each quarter (matters submitted in it), in one query."""
    aggregates: dict[str, Any] = {}
    for index, quarter in enumerate(quarters):
        aggregates.update(_quarter_aggregates(index, quarter, tz, now))
    rows = await Matter.filter(where).annotate(**aggregates).group_by("organisation_id").values(*aggregates)
    total = dict.fromkeys(aggregates, 0)
    for row in rows:
        for name in aggregates:
            total[name] += int(row[name] or 0)
    names = ("submitted", "can_do", "refused", "withdrawn", "open", "overdue")
    return [
        QuarterFigures(quarter, **{n: total[f"{n}_{i}"] for n in names}) for i, quarter in enumerate(quarters)
    ]


def recent_quarters(now: dt.datetime, tz: ZoneInfo, count: int = TREND_QUARTERS) -> list[Quarter]:
    """The ``count`` quarters up to the current one, oldest first."""
    quarters = [Quarter.of_moment(now, tz)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters[::-1]
