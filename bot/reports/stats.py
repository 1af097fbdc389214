"""A quarter's figures per unit and section (the numbers behind the 季度汇总 and the 汇总表).

What a quarter's figures count: the matters accepted (受理) in the quarter, and what had become of
each by the quarter's end (by now, for the running quarter) — so that the row adds up:

    受理 = 能办（股室负责人 + 分管领导 + 主要领导）+ 确认不能办 + 撤回（按原因）+ 在办

- submitted (受理): matters submitted in the quarter;
- resolved at level 2/3/4 (能办): of those, decided ``can_do`` by the cutoff, by the deciding level
  (the first-contact person, level 1, never decides: the matter exists because they would say no);
- refused (确认不能办): of those, decided ``confirm_no`` by the cutoff;
- withdrawn (撤回): of those, withdrawn by the cutoff, by their reason (申请人撤回申请 / 误报 / 其他;
  a withdrawal from before reasons were asked for counts as 其他);
- pending (在办): of those, neither decided nor withdrawn at the cutoff (listed in the digest);
- overdue (逾期未回复): matters whose reply deadline fell in the quarter (before now, for the
  running quarter) and that had no reply recorded by then, unless withdrawn before it — an event
  of the quarter, whenever the matter was accepted, and no part of the sum above;
- average working hours to decide: over the decided matters of the row, office hours on working
  days from submission to decision (stored with the decision, ``Matter.decided_hours``), shown to
  the minute (`bot.calendar.hours.working_time_text`).

A past quarter's figures never change when computed again (the cutoff is its end).

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
from bot.reports.figures import LEVELS, UNSTATED, Window, section_rows
from bot.reports.hours import fill_missing_hours
from bot.reports.ledger_figures import LedgerStats, ledger_stats
from models.enums import UnitKind, WithdrawReason
from models.org import Department, Person, Unit


@dataclass
class Counts:
    """One row's figures. ``decided``/``decide_hours`` give the average time to decide."""

    submitted: int = 0
    resolved_at_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    refused: int = 0
    withdrawn_for: dict[WithdrawReason, int] = field(default_factory=lambda: dict.fromkeys(WithdrawReason, 0))
    pending: int = 0
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
    def accounted(self) -> int:
        """能办 + 确认不能办 + 撤回 + 在办: equals ``submitted`` (the table's identity)."""
        return self.resolved + self.refused + self.withdrawn + self.pending

    @property
    def avg_decide_hours(self) -> float | None:
        """Average working hours from submission to decision (unrounded); None when none decided."""
        if not self.decided:
            return None
        return self.decide_hours / self.decided

    def add(self, other: Counts) -> None:
        self.submitted += other.submitted
        for level in LEVELS:
            self.resolved_at_level[level] += other.resolved_at_level[level]
        self.refused += other.refused
        for reason in WithdrawReason:
            self.withdrawn_for[reason] += other.withdrawn_for[reason]
        self.pending += other.pending
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
    principal: str = ""  # the unit's 主要领导 (负责人 of its 汇总表), "" when none is named
    bureau: bool = False  # the bureau itself (its principal signs the bureau's summary)

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
    # The complaints ledger's figures of the quarter (their own sum; no part of the matters').
    ledger: LedgerStats = field(default_factory=LedgerStats)

    @property
    def window(self) -> Window:
        return Window(self.quarter.start_at(self.tz), self.quarter.end_at(self.tz), self.cutoff)

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
        pending=int(row["pending"]),
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
    unit_rows = await Unit.filter(organisation_id=organisation_id).order_by("id")
    led = [u.principal_id for u in unit_rows if u.principal_id]
    principals = dict(await Person.filter(id__in=led).values_list("id", "name")) if led else {}
    for unit in unit_rows:
        principal = str(principals.get(unit.principal_id, "")) if unit.principal_id else ""
        units[unit.id] = UnitStats(
            unit_id=unit.id,
            code=unit.code,
            name=unit.name,
            principal=principal,
            bureau=unit.kind is UnitKind.BUREAU,
        )
        stats.units.append(units[unit.id])
    sections: dict[int, SectionStats] = {}
    for dept in await Department.filter(organisation_id=organisation_id).order_by("id"):
        if dept.unit_id in units:
            sections[dept.id] = SectionStats(department_id=dept.id, code=dept.code, name=dept.name)
            units[dept.unit_id].sections.append(sections[dept.id])

    # Decisions from before their working hours were stored get them now, once.
    await fill_missing_hours(organisation_id, calendar, start, cutoff)
    for row in await section_rows(organisation_id, Window(start, end, cutoff)):
        owner = sections.get(row["department_id"])
        if owner is None:  # only if the section's unit is not this organisation's (bad data)
            continue
        owner.counts = _counts(row)
    stats.ledger = await ledger_stats(organisation_id, Window(start, end, cutoff))
    return stats
