"""The working-day calendar: 2026's official schedule, unknown years, overrides, deadlines, hours."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.calendar.schedule import official_years
from bot.calendar.workdays import WorkCalendar, _log_unknown_year, load_calendar
from bot.settings import Settings
from models.calendar import HolidayOverride
from models.org import Organisation

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_START = dt.time(8, 30)
OFFICE_END = dt.time(17, 30)
KNOWS_2027 = 2027 in official_years()
needs_2027_unknown = pytest.mark.skipif(
    KNOWS_2027, reason="the installed holidays package now has the official 2027 schedule"
)


def make_calendar(overrides: dict[dt.date, bool] | None = None) -> WorkCalendar:
    return WorkCalendar(tz=SHANGHAI, office_start=OFFICE_START, office_end=OFFICE_END, overrides=overrides)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A wall-clock time in Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


@pytest.fixture
def cal() -> WorkCalendar:
    return make_calendar()


# --- the official 2026 schedule -----------------------------------------------------------------


def test_2026_national_day_week_and_its_makeup_workdays(cal: WorkCalendar) -> None:
    assert cal.is_known_year(2026)
    for day in days(dt.date(2026, 10, 1), dt.date(2026, 10, 7)):
        assert not cal.is_workday(day), day
    assert cal.is_workday(dt.date(2026, 9, 20))  # Sunday, 调休上班
    assert cal.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休上班
    assert cal.is_workday(dt.date(2026, 10, 8)) and cal.is_workday(dt.date(2026, 10, 9))
    assert not cal.is_workday(dt.date(2026, 9, 19))  # an ordinary Saturday
    assert not cal.is_workday(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_2026_agrees_with_the_package_day_by_day(cal: WorkCalendar) -> None:
    china = holidays.China(years=2026)
    mismatches = [
        day
        for day in days(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        if cal.is_workday(day) != china.is_working_day(day)
    ]
    assert mismatches == []
    assert sorted(d for d in china.weekend_workdays if d.year == 2026) == [
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    ]


def test_2026_spring_festival_is_nine_days_off(cal: WorkCalendar) -> None:
    # 国务院：2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班。
    assert [cal.is_workday(day) for day in days(dt.date(2026, 2, 14), dt.date(2026, 2, 24))] == [
        True, *([False] * 9), True,
    ]  # fmt: skip
    assert cal.is_workday(dt.date(2026, 2, 28))


# --- the reply deadline --------------------------------------------------------------------------


def test_deadline_from_the_eve_of_national_day_lands_on_the_makeup_saturday(cal: WorkCalendar) -> None:
    due = cal.deadline_for(local(2026, 9, 30, 10, 0))
    # Oct 1–7 off; Thu 8th, Fri 9th and the 调休 Saturday 10th are the three working days.
    assert due == local(2026, 10, 10, 17, 30)
    assert due.tzinfo == dt.UTC
    assert due == dt.datetime(2026, 10, 10, 9, 30, tzinfo=dt.UTC)


def test_deadline_from_a_friday_skips_the_weekend(cal: WorkCalendar) -> None:
    assert cal.deadline_for(local(2026, 11, 27, 14, 0)) == local(2026, 12, 2, 17, 30)


def test_the_submission_day_never_counts_whatever_the_hour(cal: WorkCalendar) -> None:
    expected = local(2026, 12, 3, 17, 30)
    assert cal.deadline_for(local(2026, 11, 30, 7, 0)) == expected  # before office hours
    assert cal.deadline_for(local(2026, 11, 30, 9, 0)) == expected
    assert cal.deadline_for(local(2026, 11, 30, 20, 0)) == expected  # after office hours
    assert cal.deadline_for(local(2026, 11, 27, 23, 59)) == local(2026, 12, 2, 17, 30)


def test_deadline_from_a_holiday_counts_from_the_first_day_back(cal: WorkCalendar) -> None:
    assert cal.deadline_for(local(2026, 10, 2, 11, 0)) == local(2026, 10, 10, 17, 30)
    assert cal.deadline_for(local(2026, 10, 5, 11, 0)) == local(2026, 10, 10, 17, 30)  # 补假 Monday


def test_deadline_uses_the_local_day_not_the_utc_day(cal: WorkCalendar) -> None:
    # 23:30 UTC on Sunday is 07:30 on Monday in Shanghai: Monday is the submission day.
    assert cal.deadline_for(dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)) == local(2026, 12, 3, 17, 30)


def test_deadline_for_other_working_day_counts(cal: WorkCalendar) -> None:
    assert cal.deadline_for(local(2026, 11, 30, 9, 0), 1) == local(2026, 12, 1, 17, 30)
    assert cal.deadline_for(local(2026, 11, 30, 9, 0), 5) == local(2026, 12, 7, 17, 30)


def test_deadline_rejects_naive_datetimes(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.deadline_for(dt.datetime(2026, 11, 30, 9, 0))


def test_office_end_comes_from_settings() -> None:
    settings_ = Settings(_env_file=None, office_start=dt.time(9, 0), office_end=dt.time(18, 0))  # type: ignore[call-arg]
    cal = WorkCalendar.from_settings(settings_)
    assert cal.end_of_office(dt.date(2026, 12, 1)) == local(2026, 12, 1, 18, 0)
    assert cal.deadline_for(local(2026, 11, 30, 9, 0)) == local(2026, 12, 3, 18, 0)
    assert cal.at_local(dt.date(2026, 12, 1), dt.time(9, 0)) == dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)


def test_office_hours_must_make_sense() -> None:
    with pytest.raises(ValueError, match="before office_end"):
        WorkCalendar(tz=SHANGHAI, office_start=dt.time(17, 30), office_end=dt.time(8, 30))


def test_is_workday_refuses_a_datetime(cal: WorkCalendar) -> None:
    with pytest.raises(TypeError):
        cal.is_workday(local(2026, 11, 30, 9, 0))


# --- stepping through days ---------------------------------------------------------------------


def test_stepping_through_working_days(cal: WorkCalendar) -> None:
    assert cal.next_workday(dt.date(2026, 9, 30)) == dt.date(2026, 10, 8)
    assert cal.next_workday(dt.date(2026, 9, 19)) == dt.date(2026, 9, 20)  # the 调休 Sunday
    assert cal.add_working_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 30)
    assert cal.workday_on_or_after(dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)
    assert cal.workday_on_or_after(dt.date(2026, 11, 28)) == dt.date(2026, 11, 30)
    with pytest.raises(ValueError):
        cal.add_working_days(dt.date(2026, 11, 30), 0)


def test_nth_workday_of_a_quarter(cal: WorkCalendar) -> None:
    # Q4 2026 opens in the National Day week: Oct 8, 9, 10 (Sat, 调休), 12, 13.
    assert cal.nth_workday_from(dt.date(2026, 10, 1), 5) == dt.date(2026, 10, 13)
    # Jan 1–3 off, Sunday Jan 4 worked.
    assert cal.nth_workday_from(dt.date(2026, 1, 1), 1) == dt.date(2026, 1, 4)
    assert cal.nth_workday_from(dt.date(2026, 1, 1), 5) == dt.date(2026, 1, 8)
    assert cal.nth_workday_from(dt.date(2026, 11, 30), 1) == dt.date(2026, 11, 30)
    assert cal.nth_workday_from(dt.date(2026, 11, 30), 5) == dt.date(2026, 12, 4)


# --- years the package does not know ------------------------------------------------------------


@needs_2027_unknown
def test_2027_is_unknown_so_statutory_days_without_makeup_workdays(cal: WorkCalendar) -> None:
    assert not cal.is_known_year(2027)
    assert cal.unknown_years([2026, 2027, 2027, 2035]) == [2027, 2035]
    # National Day 2027: Fri Oct 1, the weekend, and 补假 Mon 4 and Tue 5 for Oct 2–3.
    assert [cal.is_workday(day) for day in days(dt.date(2027, 10, 1), dt.date(2027, 10, 6))] == [
        False, False, False, False, False, True,
    ]  # fmt: skip
    assert not cal.is_workday(dt.date(2027, 10, 9))  # no guessed 调休 Saturday
    assert not cal.is_workday(dt.date(2027, 2, 5))  # 农历除夕
    listed = cal.holidays_in(2027)
    assert listed and all(not is_workday for _, _, is_workday in listed)
    assert all("推定" in name for _, name, _ in listed)
    assert (dt.date(2027, 10, 4), "国庆节（补假，推定）", False) in listed
    assert cal.deadline_for(local(2027, 9, 30, 10, 0)) == local(2027, 10, 8, 17, 30)


def test_a_far_year_is_unknown_and_never_raises(cal: WorkCalendar) -> None:
    assert not cal.is_known_year(2035)
    assert not cal.is_workday(dt.date(2035, 10, 1))  # Monday, 国庆节 by law
    assert cal.is_workday(dt.date(2035, 10, 8))
    assert not cal.is_workday(dt.date(2035, 10, 6))  # Saturday, no guessed 调休
    assert (dt.date(2035, 10, 1), "国庆节（推定）", False) in cal.holidays_in(2035)
    # Fri Sep 28 submission: Oct 1–3 (Mon–Wed) off, then Thu 4, Fri 5 and Mon 8.
    assert cal.is_workday(dt.date(2035, 10, 4))
    assert cal.deadline_for(local(2035, 9, 28, 10, 0)) == local(2035, 10, 8, 17, 30)


def test_beyond_the_package_tables_plain_weekdays(cal: WorkCalendar) -> None:
    assert not cal.is_known_year(2200)
    assert cal.holidays_in(2200) == []
    assert cal.is_workday(dt.date(2200, 10, 1))  # a Wednesday
    assert not cal.is_workday(dt.date(2200, 10, 4))  # a Saturday
    assert cal.deadline_for(local(2200, 10, 3, 10, 0)) == local(2200, 10, 8, 17, 30)
    assert cal.is_workday(dt.date(9999, 12, 31))  # a Friday, still no error


# --- overrides ---------------------------------------------------------------------------------


def test_override_turns_a_weekday_into_a_holiday_and_a_saturday_into_a_workday() -> None:
    tuesday, saturday = dt.date(2026, 12, 1), dt.date(2026, 12, 5)
    cal = make_calendar({tuesday: False, saturday: True})
    assert not cal.is_workday(tuesday)
    assert cal.is_workday(saturday)
    # Mon submission: Dec 1 is now off, so Wed 2, Thu 3, Fri 4.
    assert cal.deadline_for(local(2026, 11, 30, 9, 0)) == local(2026, 12, 4, 17, 30)
    # Wed submission: Thu 3, Fri 4 and the worked Saturday 5.
    assert cal.deadline_for(local(2026, 12, 2, 9, 0)) == local(2026, 12, 5, 17, 30)


def test_override_wins_over_the_official_schedule() -> None:
    cal = make_calendar({dt.date(2026, 10, 10): False, dt.date(2026, 10, 7): True})
    assert not cal.is_workday(dt.date(2026, 10, 10))
    assert cal.is_workday(dt.date(2026, 10, 7))
    assert cal.deadline_for(local(2026, 9, 30, 10, 0)) == local(2026, 10, 9, 17, 30)


# --- holidays_in -------------------------------------------------------------------------------


def test_holidays_in_lists_holidays_makeup_days_and_overrides_sorted(cal: WorkCalendar) -> None:
    listed = cal.holidays_in(2026)
    assert [day for day, _, _ in listed] == sorted(day for day, _, _ in listed)
    assert (dt.date(2026, 10, 1), "国庆节", False) in listed
    assert (dt.date(2026, 9, 20), "调休上班（10月6日休息）", True) in listed
    assert (dt.date(2026, 10, 10), "调休上班（10月7日休息）", True) in listed
    assert {day for day, _, is_workday in listed if is_workday} == {
        dt.date(2026, 1, 4), dt.date(2026, 2, 14), dt.date(2026, 2, 28),
        dt.date(2026, 5, 9), dt.date(2026, 9, 20), dt.date(2026, 10, 10),
    }  # fmt: skip

    with_overrides = make_calendar(
        {dt.date(2026, 10, 10): False, dt.date(2026, 12, 31): False, dt.date(2027, 1, 4): False}
    ).holidays_in(2026)
    assert (dt.date(2026, 10, 10), "人工调整为休息（原：调休上班（10月7日休息））", False) in with_overrides
    assert (dt.date(2026, 12, 31), "人工调整为休息", False) in with_overrides
    assert all(day.year == 2026 for day, _, _ in with_overrides)
    assert len([day for day, _, _ in with_overrides if day == dt.date(2026, 10, 10)]) == 1


# --- office hours ------------------------------------------------------------------------------


def test_working_hours_across_a_weekend(cal: WorkCalendar) -> None:
    assert cal.working_hours_between(local(2026, 11, 27, 16, 30), local(2026, 11, 30, 9, 30)) == 2.0


def test_working_hours_across_a_holiday_and_a_makeup_sunday(cal: WorkCalendar) -> None:
    assert cal.working_hours_between(local(2026, 9, 30, 17, 0), local(2026, 10, 8, 9, 0)) == 1.0
    # Saturday 19th is off, Sunday 20th a full 9-hour working day.
    assert cal.working_hours_between(local(2026, 9, 19, 10, 0), local(2026, 9, 21, 8, 30)) == 9.0


def test_working_hours_edges(cal: WorkCalendar) -> None:
    assert cal.working_hours_between(local(2026, 11, 30, 7, 0), local(2026, 11, 30, 20, 0)) == 9.0
    assert cal.working_hours_between(local(2026, 11, 30, 12, 0), local(2026, 11, 30, 12, 0)) == 0.0
    assert cal.working_hours_between(local(2026, 11, 30, 12, 0), local(2026, 11, 30, 9, 0)) == 0.0
    assert cal.working_hours_between(local(2026, 11, 30, 18, 0), local(2026, 12, 1, 8, 0)) == 0.0


def test_add_working_hours(cal: WorkCalendar) -> None:
    assert cal.add_working_hours(local(2026, 11, 27, 15, 30), 4) == local(2026, 11, 30, 10, 30)
    assert cal.add_working_hours(local(2026, 9, 30, 16, 0), 4) == local(2026, 10, 8, 11, 0)
    assert cal.add_working_hours(local(2026, 11, 30, 7, 0), 1) == local(2026, 11, 30, 9, 30)
    assert cal.add_working_hours(local(2026, 11, 30, 8, 30), 9) == local(2026, 11, 30, 17, 30)
    assert cal.add_working_hours(local(2026, 11, 28, 10, 0), 0.5) == local(2026, 11, 30, 9, 0)
    start = local(2026, 11, 28, 10, 0)
    assert cal.add_working_hours(start, 0) == start
    assert cal.add_working_hours(start, 0).tzinfo == dt.UTC
    with pytest.raises(ValueError):
        cal.add_working_hours(start, -1)
    with pytest.raises(ValueError):
        cal.add_working_hours(start, float("inf"))


# --- properties --------------------------------------------------------------------------------

PROPERTY_CAL = make_calendar({dt.date(2026, 12, 1): False, dt.date(2026, 12, 5): True})
moments = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2036, 12, 31), timezones=st.just(dt.UTC)
)
dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2036, 12, 31))


@settings(max_examples=300, deadline=None)
@given(submitted_at=moments, n=st.integers(min_value=1, max_value=10))
def test_deadline_is_office_end_of_the_nth_workday_after_submission(
    submitted_at: dt.datetime, n: int
) -> None:
    cal = PROPERTY_CAL
    due = cal.deadline_for(submitted_at, n)
    local_due = due.astimezone(SHANGHAI)
    assert due > submitted_at
    assert local_due.time() == OFFICE_END
    assert cal.is_workday(local_due.date())
    submission_day = cal.local_date(submitted_at)
    between = days(submission_day + dt.timedelta(days=1), local_due.date())
    assert sum(cal.is_workday(day) for day in between) == n


@settings(max_examples=300, deadline=None)
@given(a=dates, b=dates, n=st.integers(min_value=1, max_value=15))
def test_add_working_days_is_monotonic(a: dt.date, b: dt.date, n: int) -> None:
    cal = PROPERTY_CAL
    early, late = min(a, b), max(a, b)
    assert cal.add_working_days(early, n) <= cal.add_working_days(late, n)
    assert cal.add_working_days(early, n) < cal.add_working_days(early, n + 1)
    assert cal.add_working_days(early, n) > early


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.floats(min_value=0, max_value=200, allow_nan=False))
def test_add_working_hours_inverts_working_hours_between(start: dt.datetime, hours: float) -> None:
    cal = PROPERTY_CAL
    end = cal.add_working_hours(start, hours)
    assert end >= start
    assert cal.working_hours_between(start, end) == pytest.approx(hours, abs=1e-6)
    if hours > 0:  # the first such moment: a minute earlier not enough has passed
        assert cal.working_hours_between(start, end - dt.timedelta(minutes=1)) < hours


# --- loading from the database -----------------------------------------------------------------


async def test_load_calendar_reads_only_this_organisations_overrides(db: None, settings: Settings) -> None:
    mine = await Organisation.create(code="xx-jtj", name="某县交通运输局")
    other = await Organisation.create(code="yy-jtj", name="另一县交通运输局")
    await HolidayOverride.create(organisation=mine, date=dt.date(2026, 12, 1), is_workday=False, note="停电")
    await HolidayOverride.create(organisation=mine, date=dt.date(2026, 12, 5), is_workday=True)
    await HolidayOverride.create(organisation=other, date=dt.date(2026, 12, 2), is_workday=False)

    cal = await load_calendar(settings, mine.id, today=dt.date(2026, 3, 1))
    assert not cal.is_workday(dt.date(2026, 12, 1))
    assert cal.is_workday(dt.date(2026, 12, 5))
    assert cal.is_workday(dt.date(2026, 12, 2))
    assert cal.deadline_for(local(2026, 11, 30, 9, 0)) == local(2026, 12, 4, 17, 30)

    theirs = await load_calendar(settings, other.id, today=dt.date(2026, 3, 1))
    assert theirs.is_workday(dt.date(2026, 12, 1))
    assert not theirs.is_workday(dt.date(2026, 12, 2))


async def test_load_calendar_warns_about_unknown_years(
    db: None, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    org = await Organisation.create(code="xx-jtj", name="某县交通运输局")
    _log_unknown_year.cache_clear()
    with caplog.at_level(logging.WARNING, logger="bot.calendar.workdays"):
        await load_calendar(settings, org.id, today=dt.date(2025, 6, 1))
        assert caplog.records == []  # 2025 and 2026 are both known
        await load_calendar(settings, org.id, today=dt.date(2035, 6, 1))
    warned = [record.getMessage() for record in caplog.records]
    assert len(warned) == 2
    assert "2035" in warned[0] and "2036" in warned[1]
    _log_unknown_year.cache_clear()
