"""The working-day calendar: which days count, office hours, and the reply deadline.

Working days are Monday to Friday, minus China's statutory holidays (法定节假日, their 补假 and the
调休 days off), plus the weekend days the State Council turns into 调休 make-up workdays. The
schedule comes from the ``holidays`` package's China calendar; each organisation can correct any
single day in its ``HolidayOverride`` table, and an override always wins.

Known and unknown years
    The State Council publishes each year's 放假安排 late in the previous year (usually November),
    and the ``holidays`` package adds it in a later release. A year counts as *known* when the
    package holds that year's official substitution table (``special_public_holidays``: the 调休
    pairs). For a year the package does not know, the calendar does not guess the 调休 swaps,
    which nobody can predict, but it still takes the days the law fixes: 元旦, 春节, 清明, 劳动节,
    端午, 中秋 and 国庆 on their calendar or lunar dates, and the 补假 the 全国年节及纪念日放假办法
    grants on the next weekday when one falls on a weekend. Those names carry “（推定）”.

    Why not plain Monday to Friday for an unknown year: that would make 1–3 October and the
    Spring Festival working days, so a matter submitted before National Day would fall due while
    everyone is on holiday and be flagged overdue on the first day back. With the statutory days
    (and their legally required 补假) taken out, the error left is confined to the 调休 swaps: a
    weekday or two around a long holiday that the notice will give off, and the weekend days it
    will make working days. Each such day shifts a deadline that spans it by one working day, and
    an admin fixes it with one override per day once the notice is out.

    A year beyond the lunar tables of the package (after 2100) gets plain weekdays. No year
    raises; an unknown current or next year is logged by `load_calendar` and reported by
    `tiji check-config` until the package is upgraded, and admins can enter the official
    schedule with `tiji holidays set` in the meantime.

Deadline rule (期间开始的当日不计入): the day of submission never counts, whatever the hour, and
the matter is due at the end of office hours of the nth working day after it.

Every datetime in or out is timezone-aware; results are in UTC. Dates are local dates in the
configured timezone (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.calendar.schedule import official_years, package_schedule
from models.calendar import HolidayOverride
from models.rows import fetch_rows

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

SATURDAY = 5  # date.weekday(): Monday is 0; Saturday and Sunday are the weekend

_ONE_DAY = dt.timedelta(days=1)
OVERRIDES = 'SELECT "date", "is_workday" FROM "holiday_override" WHERE "organisation_id" = $1'
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _require_aware(moment: dt.datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")


class WorkCalendar:
    """Working days and office hours for one organisation (package schedule plus its overrides)."""

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        office_start: dt.time,
        office_end: dt.time,
        overrides: Mapping[dt.date, bool] | None = None,
    ) -> None:
        if office_start >= office_end:
            raise ValueError(f"office_start {office_start} must be before office_end {office_end}")
        self.tz = tz
        self.office_start = office_start
        self.office_end = office_end
        self._overrides: dict[dt.date, bool] = dict(overrides or {})

    @classmethod
    def from_settings(
        cls, settings: Settings, overrides: Mapping[dt.date, bool] | None = None
    ) -> WorkCalendar:
        return cls(
            tz=settings.tz,
            office_start=settings.office_start,
            office_end=settings.office_end,
            overrides=overrides,
        )

    @property
    def overrides(self) -> Mapping[dt.date, bool]:
        return dict(self._overrides)

    # --- days -------------------------------------------------------------------------------

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):  # a datetime would silently miss every lookup below
            raise TypeError("is_workday takes a date; use local_date() for a datetime")
        if day in self._overrides:
            return self._overrides[day]
        schedule = package_schedule(day.year)
        if day in schedule.makeup_workdays:
            return True
        if day in schedule.days_off:
            return False
        return day.weekday() < SATURDAY

    def is_known_year(self, year: int) -> bool:
        """True when the package holds that year's official State Council schedule."""
        return year in official_years()

    def unknown_years(self, years: Iterable[int]) -> list[int]:
        return sorted({year for year in years if not self.is_known_year(year)})

    def next_workday(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_workday(day):
            day += _ONE_DAY
        return day

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The nth working day strictly after ``day`` (``day`` itself never counts)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        for _ in range(n):
            day = self.next_workday(day)
        return day

    def workday_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_workday(day) else self.next_workday(day)

    def nth_workday_from(self, day: dt.date, n: int) -> dt.date:
        """The nth working day counting ``day`` itself if it is one (“第5个工作日” of a quarter)."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        first = self.workday_on_or_after(day)
        return first if n == 1 else self.add_working_days(first, n - 1)

    def holidays_in(self, year: int) -> list[tuple[dt.date, str, bool]]:
        """(date, name, is_workday) for the year's holidays, make-up workdays and overrides, sorted.

        An override replaces the package's entry for its day; its name says so and keeps the
        package's name in brackets.
        """
        schedule = package_schedule(year)
        entries: dict[dt.date, tuple[str, bool]] = {
            day: (name, False) for day, name in schedule.days_off.items()
        }
        entries.update((day, (name, True)) for day, name in schedule.makeup_workdays.items())
        for day, is_workday in self._overrides.items():
            if day.year != year:
                continue
            name = "人工调整为上班" if is_workday else "人工调整为休息"
            if day in entries:
                name = f"{name}（原：{entries[day][0]}）"
            entries[day] = (name, is_workday)
        return [(day, name, is_workday) for day, (name, is_workday) in sorted(entries.items())]

    # --- moments ----------------------------------------------------------------------------

    def at_local(self, day: dt.date, t: dt.time) -> dt.datetime:
        """Local wall-clock time ``t`` on ``day``, as aware UTC."""
        return dt.datetime.combine(day, t, tzinfo=self.tz).astimezone(dt.UTC)

    def end_of_office(self, day: dt.date) -> dt.datetime:
        return self.at_local(day, self.office_end)

    def local_date(self, moment: dt.datetime) -> dt.date:
        _require_aware(moment, "moment")
        return moment.astimezone(self.tz).date()

    def deadline_for(self, submitted_at: dt.datetime, working_days: int = 3) -> dt.datetime:
        """End of office hours of the nth working day after the local day of submission (UTC).

        The submission day never counts, even when it is a working day and the submission came
        before office hours: 期间开始的当日不计入.
        """
        _require_aware(submitted_at, "submitted_at")
        return self.end_of_office(self.add_working_days(self.local_date(submitted_at), working_days))

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Office hours on working days between two moments (0 when ``end`` is not after ``start``)."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end <= start:
            return 0.0
        total = dt.timedelta(0)
        day, last = self.local_date(start), self.local_date(end)
        while day <= last:
            if self.is_workday(day):
                opens = max(self.at_local(day, self.office_start), start)
                closes = min(self.end_of_office(day), end)
                if closes > opens:
                    total += closes - opens
            day += _ONE_DAY
        return total / dt.timedelta(hours=1)

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The first moment (UTC) by which ``hours`` office hours have passed since ``start``."""
        _require_aware(start, "start")
        if not math.isfinite(hours) or hours < 0:
            raise ValueError(f"hours must be a finite number >= 0, got {hours}")
        start = start.astimezone(dt.UTC)
        remaining = dt.timedelta(hours=hours)
        if not remaining:
            return start
        day = self.local_date(start)
        while True:
            if self.is_workday(day):
                opens = max(self.at_local(day, self.office_start), start)
                closes = self.end_of_office(day)
                if closes > opens:
                    if remaining <= closes - opens:
                        return opens + remaining
                    remaining -= closes - opens
            day += _ONE_DAY


async def load_calendar(
    settings: Settings, organisation_id: int, *, today: dt.date | None = None
) -> WorkCalendar:
    """The organisation's calendar: the package schedule plus its ``HolidayOverride`` rows.

    Logs a warning (once per process and year) when the current or next year is unknown to the
    package. ``today`` defaults to the local date now; the simulator passes its clock's date.
    """
    # Precompiled: every decision reads it (its working hours).
    rows = await fetch_rows(HolidayOverride, OVERRIDES, [organisation_id])
    date_field = HolidayOverride._meta.fields_map["date"]  # SQLite: the date's text form
    calendar = WorkCalendar.from_settings(
        settings, overrides={date_field.to_python_value(r["date"]): bool(r["is_workday"]) for r in rows}
    )
    if today is None:
        today = dt.datetime.now(settings.tz).date()
    for year in calendar.unknown_years((today.year, today.year + 1)):
        _log_unknown_year(year)
    return calendar


@functools.cache
def _log_unknown_year(year: int) -> None:
    # Cached so that a worker loading the calendar every minute logs it once, not all year long;
    # `tiji check-config` repeats it every time it is asked.
    log.warning(
        "the holidays package has no official schedule for %s: that year uses statutory holidays "
        "without make-up workdays (upgrade holidays or enter overrides with `tiji holidays set`)",
        year,
    )
