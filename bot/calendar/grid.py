"""The year's working-day calendar as month grids (the console's 日历 page): every day with whether
it is a working day, the holiday or 调休 name, and the organisation's override and its note."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from bot.calendar.workdays import WorkCalendar

MONTH_NAMES = tuple(f"{m}月" for m in range(1, 13))
GRID_WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
_MONTHS = stdlib_calendar.Calendar(firstweekday=0)


@dataclass(frozen=True)
class DayCell:
    day: dt.date
    workday: bool
    name: str  # the holiday / 调休 name, or ""
    overridden: bool
    note: str

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5  # noqa: PLR2004 -- Saturday

    @property
    def css(self) -> str:
        """``off`` a day off (``holiday`` a named one), ``makeup`` a weekend working day, ``override``
        an admin's change."""
        classes = ["work" if self.workday else "off"]
        if not self.workday and self.name:
            classes.append("holiday")
        if self.workday and self.weekend:
            classes.append("makeup")
        if self.overridden:
            classes.append("override")
        return " ".join(classes)


@dataclass(frozen=True)
class MonthGrid:
    month: int
    weeks: tuple[tuple[DayCell | None, ...], ...]  # Monday first; None outside the month
    workdays: int

    @property
    def title(self) -> str:
        return MONTH_NAMES[self.month - 1]


def year_grid(calendar: WorkCalendar, year: int, notes: Mapping[dt.date, str]) -> tuple[MonthGrid, ...]:
    """Twelve month grids of ``year`` for ``calendar`` (its overrides included)."""
    names = {day: name for day, name, _ in calendar.holidays_in(year)}
    overrides = calendar.overrides
    months = []
    for month in range(1, 13):
        weeks = []
        count = 0
        for week in _MONTHS.monthdatescalendar(year, month):
            row: list[DayCell | None] = []
            for day in week:
                if day.month != month:
                    row.append(None)
                    continue
                cell = DayCell(
                    day, calendar.is_workday(day), names.get(day, ""), day in overrides, notes.get(day, "")
                )
                count += cell.workday
                row.append(cell)
            weeks.append(tuple(row))
        months.append(MonthGrid(month, tuple(weeks), count))
    return tuple(months)
