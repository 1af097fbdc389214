"""预警: how close a deadline is, in working time — yellow from one working day before it, red
once it has passed (the dashboard and the console's lists colour steps and replies so)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from bot.calendar.workdays import WorkCalendar


class Warn(StrEnum):
    """The 预警 colour of a deadline; the value is the CSS class (``""``: nothing to warn of)."""

    NONE = ""
    YELLOW = "yellow"
    RED = "red"


def office_day_hours(calendar: WorkCalendar) -> float:
    """The working hours of one office day (08:30–17:30: 9)."""
    day = dt.date(2000, 1, 3)
    span = dt.datetime.combine(day, calendar.office_end) - dt.datetime.combine(day, calendar.office_start)
    return span / dt.timedelta(hours=1)


def warn_for(calendar: WorkCalendar, now: dt.datetime, due_at: dt.datetime) -> Warn:
    """Red when ``due_at`` has passed; yellow when at most one working day is left before it."""
    if now >= due_at:
        return Warn.RED
    if calendar.working_hours_between(now, due_at) <= office_day_hours(calendar):
        return Warn.YELLOW
    return Warn.NONE
