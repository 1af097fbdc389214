"""预警: a deadline is red once passed, yellow when at most one working day is left (counted in
office hours, so a Friday afternoon's Monday deadline is yellow), and nothing before that."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.calendar.warnings import Warn, warn_for
from bot.calendar.workdays import WorkCalendar

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=TZ, office_start=dt.time(8, 30), office_end=dt.time(17, 30))


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def test_past_the_deadline_is_red() -> None:
    assert warn_for(CAL, at(2, 17, 31), at(2, 17, 30)) is Warn.RED


def test_within_one_working_day_is_yellow() -> None:
    assert warn_for(CAL, at(2, 9), at(2, 17, 30)) is Warn.YELLOW
    assert warn_for(CAL, at(1, 17, 30), at(2, 17, 30)) is Warn.YELLOW  # exactly one office day left
    # Friday 4 December 15:00 → Monday 7 December 10:00: 4.5 office hours over the weekend
    assert warn_for(CAL, at(4, 15), at(7, 10)) is Warn.YELLOW


def test_more_than_a_working_day_left_is_not_warned() -> None:
    assert warn_for(CAL, at(1, 9), at(2, 17, 30)) is Warn.NONE
    assert warn_for(CAL, at(1, 9), at(4, 17, 30)) is Warn.NONE
