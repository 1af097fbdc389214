"""A quarter's figures per unit and section (the numbers behind the 季度汇总 and the 汇总表).

What a quarter's figures count (each event belongs to exactly one quarter, so quarters add up to
the year and a past quarter's figures never change when they are computed again):

- submitted (受理): matters submitted in the quarter;
- resolved at level 2/3/4 (能办): matters decided ``can_do`` in the quarter, by the level that
  decided;
- refused (确认不能办): matters decided ``confirm_no`` in the quarter;
- withdrawn (撤回): matters withdrawn in the quarter;
- overdue (逾期未回复): matters whose reply deadline fell in the quarter (before now, for the
  running quarter) and that had no reply recorded by then, unless withdrawn before it;
- average working hours to decide: over the matters decided in the quarter, office hours on
  working days from submission to decision.

A matter counts for its lead section (会商 co-sections do not count it again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import WorkCalendar
from models.enums import Action
from models.matter import Matter
from models.org import Department, Unit

if TYPE_CHECKING:
    pass

LEVELS = (2, 3, 4)


@dataclass
class Counts:
    """One row's figures. ``decided``/``decide_hours`` give the average time to decide."""

    submitted: int = 0
    resolved_at_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    refused: int = 0
    withdrawn: int = 0
    overdue: int = 0
    decided: int = 0
    decide_hours: float = 0.0

    @property
    def resolved(self) -> int:
        return sum(self.resolved_at_level.values())

    @property
    def avg_decide_hours(self) -> float | None:
        """Average working hours from submission to decision, one decimal; None when none decided."""
        if not self.decided:
            return None
        return round(self.decide_hours / self.decided, 1)

    def add(self, other: Counts) -> None:
        self.submitted += other.submitted
        for level in LEVELS:
            self.resolved_at_level[level] += other.resolved_at_level[level]
        self.refused += other.refused
        self.withdrawn += other.withdrawn
        self.overdue += other.overdue
        self.decided += other.decided
        self.decide_hours += other.decide_hours


@dataclass
class SectionStats:
    department_id: int
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class UnitStats:
    unit_id: int
    code: str
    name: str
    sections: list[SectionStats] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        total = Counts()
        for section in self.sections:
            total.add(section.counts)
        return total


@dataclass
class QuarterStats:
    """A quarter's figures for one organisation, every unit and section listed (zeros included)."""

    organisation_id: int
    quarter: Quarter
    cutoff: dt.datetime  # figures are as of this moment: the quarter's end, or now if earlier
    complete: bool  # the quarter is over: its figures are final
    tz: ZoneInfo  # the organisation's local time, for dates shown
    units: list[UnitStats] = field(default_factory=list)

    @property
    def totals(self) -> Counts:
        total = Counts()
        for unit in self.units:
            total.add(unit.counts)
        return total

    def unit(self, unit_id: int) -> UnitStats:
        for unit in self.units:
            if unit.unit_id == unit_id:
                return unit
        raise LookupError(f"没有单位 {unit_id}")


def _within(moment: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> bool:
    return moment is not None and start <= moment < end


def _count_matter(
    counts: Counts, matter: Matter, start: dt.datetime, end: dt.datetime, cal: WorkCalendar
) -> None:
    if _within(matter.submitted_at, start, end):
        counts.submitted += 1
    decided = matter.decided_at
    if (
        decided is not None
        and _within(decided, start, end)
        and matter.outcome in (Action.CAN_DO, Action.CONFIRM_NO)
    ):
        if matter.outcome is Action.CAN_DO and matter.decided_level in LEVELS:
            counts.resolved_at_level[matter.decided_level] += 1
        elif matter.outcome is Action.CONFIRM_NO:
            counts.refused += 1
        counts.decided += 1
        counts.decide_hours += cal.working_hours_between(matter.submitted_at, decided)
    if _within(matter.withdrawn_at, start, end):
        counts.withdrawn += 1
    if _within(matter.due_at, start, end):
        withdrawn_in_time = matter.withdrawn_at is not None and matter.withdrawn_at <= matter.due_at
        replied_in_time = matter.replied_at is not None and matter.replied_at <= matter.due_at
        if not withdrawn_in_time and not replied_in_time:
            counts.overdue += 1


async def quarter_stats(
    organisation_id: int, quarter: Quarter, calendar: WorkCalendar, *, now: dt.datetime | None = None
) -> QuarterStats:
    """The figures of ``quarter`` (see the module docstring), as of ``now`` for a running quarter."""
    start = quarter.start_at(calendar.tz)
    end = quarter.end_at(calendar.tz)
    cutoff = end if now is None else min(end, now)
    stats = QuarterStats(
        organisation_id=organisation_id,
        quarter=quarter,
        cutoff=cutoff,
        complete=cutoff >= end,
        tz=calendar.tz,
    )
    sections: dict[int, SectionStats] = {}
    for unit in await Unit.filter(organisation_id=organisation_id).order_by("id"):
        unit_stats = UnitStats(unit_id=unit.id, code=unit.code, name=unit.name)
        for dept in await Department.filter(organisation_id=organisation_id, unit_id=unit.id).order_by("id"):
            section = SectionStats(department_id=dept.id, code=dept.code, name=dept.name)
            unit_stats.sections.append(section)
            sections[dept.id] = section
        stats.units.append(unit_stats)

    window = (
        Q(submitted_at__gte=start, submitted_at__lt=cutoff)
        | Q(decided_at__gte=start, decided_at__lt=cutoff)
        | Q(withdrawn_at__gte=start, withdrawn_at__lt=cutoff)
        | Q(due_at__gte=start, due_at__lt=cutoff)
    )
    for matter in await Matter.filter(window, organisation_id=organisation_id):
        owner = sections.get(matter.department_id)
        if owner is None:  # only if the section's unit is not this organisation's (bad data)
            continue
        _count_matter(owner.counts, matter, start, cutoff, calendar)
    return stats
