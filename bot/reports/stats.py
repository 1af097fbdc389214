"""A quarter's figures per unit and section (the numbers behind the 季度汇总 and the 汇总表).

What a quarter's figures count (each event belongs to exactly one quarter, so quarters add up to
the year and a past quarter's figures never change when they are computed again):

- submitted (受理): matters submitted in the quarter;
- resolved at level 2/3/4 (能办): matters decided ``can_do`` in the quarter, by the level that
  decided;
- refused (确认不能办): matters decided ``confirm_no`` in the quarter;
- withdrawn (撤回): matters withdrawn in the quarter, by their reason (申请人撤回申请 / 误报 / 其他;
  a withdrawal from before reasons were asked for counts as 其他);
- overdue (逾期未回复): matters whose reply deadline fell in the quarter (before now, for the
  running quarter) and that had no reply recorded by then, unless withdrawn before it;
- average working hours to decide: over the matters decided in the quarter, office hours on
  working days from submission to decision (stored with the decision, ``Matter.decided_hours``).

A matter counts for its lead section (会商 co-sections do not count it again). The counting is one
``GROUP BY`` in the database (`bot.reports.figures`); this module lays the rows out per unit and
section and adds them up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import WorkCalendar
from bot.reports.figures import LEVELS, UNSTATED, section_rows
from bot.reports.hours import fill_missing_hours
from models.enums import WithdrawReason
from models.org import Department, Unit


@dataclass
class Counts:
    """One row's figures. ``decided``/``decide_hours`` give the average time to decide."""

    submitted: int = 0
    resolved_at_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    refused: int = 0
    withdrawn_for: dict[WithdrawReason, int] = field(default_factory=lambda: dict.fromkeys(WithdrawReason, 0))
    overdue: int = 0
    decided: int = 0
    decide_hours: float = 0.0

    @property
    def resolved(self) -> int:
        return sum(self.resolved_at_level.values())

    @property
    def withdrawn(self) -> int:
        return sum(self.withdrawn_for.values())

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
        for reason in WithdrawReason:
            self.withdrawn_for[reason] += other.withdrawn_for[reason]
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


def _counts(row: dict[str, Any]) -> Counts:
    """A row of `section_rows` as figures."""
    withdrawn_for = {reason: int(row[f"withdrawn_{reason.value}"]) for reason in WithdrawReason}
    withdrawn_for[WithdrawReason.OTHER] += int(row[f"withdrawn_{UNSTATED}"])
    return Counts(
        submitted=int(row["submitted"]),
        resolved_at_level={level: int(row[f"level{level}"]) for level in LEVELS},
        refused=int(row["refused"]),
        withdrawn_for=withdrawn_for,
        overdue=int(row["overdue"]),
        decided=int(row["decided"]),
        decide_hours=float(row["decide_hours"]),
    )


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
    units: dict[int, UnitStats] = {}
    for unit in await Unit.filter(organisation_id=organisation_id).order_by("id"):
        units[unit.id] = UnitStats(unit_id=unit.id, code=unit.code, name=unit.name)
        stats.units.append(units[unit.id])
    sections: dict[int, SectionStats] = {}
    for dept in await Department.filter(organisation_id=organisation_id).order_by("id"):
        if dept.unit_id in units:
            sections[dept.id] = SectionStats(department_id=dept.id, code=dept.code, name=dept.name)
            units[dept.unit_id].sections.append(sections[dept.id])

    # Decisions from before their working hours were stored get them now, once.
    await fill_missing_hours(organisation_id, calendar, start, cutoff)
    for row in await section_rows(organisation_id, start, cutoff):
        owner = sections.get(row["department_id"])
        if owner is None:  # only if the section's unit is not this organisation's (bad data)
            continue
        owner.counts = _counts(row)
    return stats
