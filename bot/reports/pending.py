"""The matters a quarter's figures count as 在办 (accepted in the quarter, neither decided nor
withdrawn at its cutoff), listed under the digest's figures and on the console's table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.matters.views import LEVEL_TITLES
from bot.reports.figures import pending_matters
from bot.reports.stats import QuarterStats

PENDING_SHOWN = 20  # the digest lists this many; the count says how many there are in all


@dataclass(frozen=True)
class PendingMatter:
    number: str
    unit: str
    section: str
    level: str  # the level deciding at the cutoff, e.g. 分管领导
    submitted_at: dt.datetime


async def pending_list(
    stats: QuarterStats, unit_id: int | None = None, limit: int = PENDING_SHOWN
) -> list[PendingMatter]:
    """Up to ``limit`` of the quarter's 在办 matters (of one unit), oldest first."""
    counted = stats.totals if unit_id is None else stats.unit(unit_id).counts
    if not counted.pending:
        # The figures count none (the same predicate): a look would read the quarter for nothing.
        return []
    units = {u.unit_id: u.name for u in stats.units}
    sections = {s.department_id: s.name for u in stats.units for s in u.sections}
    rows = await pending_matters(stats.organisation_id, stats.window, unit_id).limit(limit)
    return [
        PendingMatter(
            number=m.number,
            unit=units.get(m.unit_id, ""),
            section=sections.get(m.department_id, ""),
            level=LEVEL_TITLES.get(m.level, f"第{m.level}级"),
            submitted_at=m.submitted_at,
        )
        for m in rows
    ]
