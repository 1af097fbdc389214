"""The overview's lists and bars (see ``bot.reports.dashboard``): each section's matters this
quarter against the last, the replies due today and the units whose quarterly table is not yet
confirmed; and ``overview`` putting the whole page's figures together."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Count

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import WorkCalendar
from bot.matters.scoping import Scope, matters_in
from bot.reports.dashboard import (
    OWED_REPLY,
    Deadlines,
    OpenRow,
    QuarterFigures,
    deadlines,
    in_quarter,
    open_matters,
    quarter_figures,
    recent_quarters,
)
from models.enums import Action
from models.matter import Matter
from models.org import Department, Unit
from models.reports import ReportTask

DUE_TODAY_SHOWN = 10
SECTIONS_SHOWN = 15


@dataclass(frozen=True)
class SectionBar:
    department_id: int
    name: str
    unit_name: str
    this_quarter: int
    last_quarter: int
    refused: int


@dataclass(frozen=True)
class UnconfirmedUnit:
    unit_id: int
    name: str
    quarter: str
    due_at: dt.datetime
    overdue: bool


@dataclass(frozen=True)
class DueToday:
    """Replies owed by the end of today: how many, and the first few (soonest first)."""

    count: int
    matters: list[Matter]


@dataclass(frozen=True)
class Overview:
    """Everything the overview shows."""

    this_quarter: Quarter
    last_quarter: Quarter
    open_rows: list[OpenRow]
    deadlines: Deadlines
    quarters: list[QuarterFigures]  # oldest first; the last two are the last and this quarter
    sections: list[SectionBar]
    due_today: DueToday
    unconfirmed: list[UnconfirmedUnit]

    @property
    def current(self) -> QuarterFigures:
        return self.quarters[-1]

    @property
    def previous(self) -> QuarterFigures:
        return self.quarters[-2]

    @property
    def open_total(self) -> int:
        return sum(row.total for row in self.open_rows)


async def section_bars(where: Q, this: Quarter, last: Quarter, calendar: WorkCalendar) -> list[SectionBar]:
    """The sections with matters submitted this quarter or the last, most this quarter first."""
    now_q, last_q = in_quarter(this, calendar.tz), in_quarter(last, calendar.tz)
    aggregates: dict[str, Any] = {
        "this": Count("id", _filter=now_q),
        "last": Count("id", _filter=last_q),
        "refused": Count("id", _filter=now_q & Q(outcome=Action.CONFIRM_NO)),
    }
    rows = (
        await Matter.filter(where, now_q | last_q)
        .annotate(**aggregates)
        .group_by("department_id")
        .values("department_id", *aggregates)
    )
    ids = [int(r["department_id"]) for r in rows]
    departments = {d.id: d for d in await Department.filter(id__in=ids).prefetch_related("unit")}
    bars = [
        SectionBar(
            department_id=int(r["department_id"]),
            name=departments[int(r["department_id"])].name,
            unit_name=departments[int(r["department_id"])].unit.name,
            this_quarter=int(r["this"] or 0),
            last_quarter=int(r["last"] or 0),
            refused=int(r["refused"] or 0),
        )
        for r in rows
        if int(r["department_id"]) in departments
    ]
    bars.sort(key=lambda b: (-b.this_quarter, -b.last_quarter, b.name))
    return bars[:SECTIONS_SHOWN]


async def replies_due_today(where: Q, calendar: WorkCalendar, now: dt.datetime) -> DueToday:
    """Replies owed to applicants whose deadline falls today (local date)."""
    today = calendar.local_date(now)
    start = calendar.at_local(today, dt.time(0))
    end = calendar.at_local(today + dt.timedelta(days=1), dt.time(0))
    query = Matter.filter(where, state__in=list(OWED_REPLY), due_at__gte=start, due_at__lt=end)
    count = await query.count()
    shown = await query.order_by("due_at", "id").limit(DUE_TODAY_SHOWN).prefetch_related("department")
    return DueToday(count, list(shown))


async def unconfirmed_reports(organisation_id: int, scope: Scope, now: dt.datetime) -> list[UnconfirmedUnit]:
    """The units that have not confirmed the latest quarter's table (a leader: their own units)."""
    tasks = ReportTask.filter(organisation_id=organisation_id)
    if not scope.whole_organisation:
        tasks = tasks.filter(unit_id__in=sorted(scope.unit_ids) or [-1])
    latest = await tasks.order_by("-quarter").first()
    if latest is None:
        return []
    pending = await tasks.filter(quarter=latest.quarter, confirmed_at__isnull=True).order_by("unit_id")
    units = {u.id: u.name for u in await Unit.filter(id__in=[t.unit_id for t in pending])}
    return [
        UnconfirmedUnit(t.unit_id, units.get(t.unit_id, "?"), t.quarter, t.due_at, t.due_at < now)
        for t in pending
    ]


async def overview(organisation_id: int, scope: Scope, calendar: WorkCalendar, now: dt.datetime) -> Overview:
    """The overview of ``scope`` in ``organisation_id`` at ``now``."""
    where = matters_in(organisation_id, scope)
    quarters = recent_quarters(now, calendar.tz)
    this, last = quarters[-1], quarters[-2]
    return Overview(
        this_quarter=this,
        last_quarter=last,
        open_rows=await open_matters(where, now),
        deadlines=await deadlines(where, calendar, now),
        quarters=await quarter_figures(where, quarters, calendar.tz, now),
        sections=await section_bars(where, this, last, calendar),
        due_today=await replies_due_today(where, calendar, now),
        unconfirmed=await unconfirmed_reports(organisation_id, scope, now),
    )
