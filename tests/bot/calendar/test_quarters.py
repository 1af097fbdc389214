"""Quarter parsing and arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.calendar.quarters import Quarter, parse_quarter, previous_quarter

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "text",
    ["2026Q3", "2026q3", " 2026-Q3 ", "2026年第3季度", "2026年三季度", "2026年第三季度", "2026 Q3"],
)
def test_parse_accepts_the_usual_spellings(text: str) -> None:
    assert parse_quarter(text) == Quarter(2026, 3)


@pytest.mark.parametrize("text", ["", "2026Q5", "2026Q0", "26Q3", "Q3", "2026", "上季度", "2026Q3x"])
def test_parse_rejects_with_a_message_saying_the_form(text: str) -> None:
    with pytest.raises(ValueError, match="请写成 2026Q3 这样的形式"):
        parse_quarter(text)


def test_dates_and_labels() -> None:
    q = Quarter(2026, 4)
    assert str(q) == "2026Q4" and q.label == "2026年第4季度"
    assert (q.first_day, q.last_day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert Quarter(2024, 1).last_day == dt.date(2024, 3, 31)
    assert Quarter(2026, 2).last_day == dt.date(2026, 6, 30)
    assert q.next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == q
    assert q.contains(dt.date(2026, 12, 31)) and not q.contains(dt.date(2027, 1, 1))


def test_local_start_and_end_are_utc_moments() -> None:
    q = Quarter(2027, 1)
    assert q.start_at(SHANGHAI) == dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)
    assert q.end_at(SHANGHAI) == dt.datetime(2027, 3, 31, 16, 0, tzinfo=dt.UTC)


def test_quarter_of_a_moment_uses_the_local_date() -> None:
    # 31 Dec 17:00 UTC is already 1 January in Shanghai.
    moment = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC)
    assert Quarter.of_moment(moment, SHANGHAI) == Quarter(2027, 1)
    assert previous_quarter(moment, SHANGHAI) == Quarter(2026, 4)
    with pytest.raises(ValueError):
        Quarter.of_moment(dt.datetime(2026, 12, 31, 17, 0), SHANGHAI)


def test_invalid_quarter_number() -> None:
    with pytest.raises(ValueError, match="季度只能是 1 到 4"):
        Quarter(2026, 5)


@given(st.integers(min_value=1900, max_value=2200), st.integers(min_value=1, max_value=4))
def test_round_trips_and_arithmetic(year: int, number: int) -> None:
    q = Quarter(year, number)
    assert parse_quarter(str(q)) == q
    assert q.next().previous() == q and q.previous().next() == q
    assert q.previous() < q < q.next()
    assert q.next().first_day - q.last_day == dt.timedelta(days=1)
    assert Quarter.containing(q.first_day) == q == Quarter.containing(q.last_day)
