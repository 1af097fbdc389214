"""The 催办 ladder's rungs and the pass's next look, as pure functions of the calendar."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.calendar.workdays import WorkCalendar
from bot.jobs.ladder import (
    Moment,
    Rung,
    climb,
    consultation_deadline,
    reply_ladder,
    step_ladder,
    working_days_late,
)

CN = dt.timezone(dt.timedelta(hours=8))
CALENDAR = WorkCalendar(tz=ZoneInfo("Asia/Shanghai"), office_start=dt.time(8, 30), office_end=dt.time(17, 30))


def at(m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, m, d, hh, mm, tzinfo=CN)


def first(n: int, ladder: Iterable[Moment]) -> list[tuple[str, dt.datetime, str]]:
    return [(m.rung.value, m.at, m.period) for m in itertools.islice(ladder, n)]


def test_a_step_is_chased_after_four_hours_on_the_due_morning_at_the_deadline_then_daily() -> None:
    # Opened Monday 30 Nov 09:00, due Thursday 3 Dec 17:30; 5–6 Dec is a weekend.
    ladder = step_ladder(CALENDAR, opened_at=at(11, 30), due_at=at(12, 3, 17, 30), hours=4)
    assert first(6, ladder) == [
        ("pending_4h", at(11, 30, 13), ""),
        ("due_morning", at(12, 3, 8, 30), ""),
        ("deadline", at(12, 3, 17, 30), ""),
        ("overdue_daily", at(12, 4), "2026-12-04"),
        ("overdue_daily", at(12, 7), "2026-12-07"),
        ("overdue_daily", at(12, 8), "2026-12-08"),
    ]


def test_a_step_opened_after_the_deadline_is_chased_daily_from_the_next_working_day() -> None:
    ladder = step_ladder(CALENDAR, opened_at=at(12, 4, 10), due_at=at(12, 3, 17, 30), hours=4)
    assert first(2, ladder) == [
        ("overdue_daily", at(12, 7), "2026-12-07"),
        ("overdue_daily", at(12, 8), "2026-12-08"),
    ]


def test_a_step_opened_on_its_due_day_gets_no_due_morning_reminder() -> None:
    ladder = step_ladder(CALENDAR, opened_at=at(12, 3, 10), due_at=at(12, 3, 17, 30), hours=4)
    assert [m.rung for m in itertools.islice(ladder, 3)] == [
        Rung.PENDING_4H,
        Rung.DEADLINE,
        Rung.OVERDUE_DAILY,
    ]


def test_a_consultation_lapses_at_its_deadline_but_gets_a_working_day_when_opened_late() -> None:
    assert consultation_deadline(CALENDAR, at(12, 3, 17, 30), at(11, 30, 10)) == at(12, 3, 17, 30)
    # Consulted on the due day: until the end of the next working day (Monday, over the weekend).
    assert consultation_deadline(CALENDAR, at(12, 4, 17, 30), at(12, 4, 15)) == at(12, 7, 17, 30)
    ladder = step_ladder(CALENDAR, opened_at=at(12, 1), due_at=at(12, 3, 17, 30), hours=4, consultation=True)
    rungs = [m.rung for m in itertools.islice(ladder, 4)]
    assert rungs == [Rung.PENDING_4H, Rung.DUE_MORNING, Rung.CONSULTATION_LAPSED, Rung.OVERDUE_DAILY]


def test_an_owed_reply_is_chased_on_the_due_morning_at_the_deadline_then_daily() -> None:
    ladder = reply_ladder(CALENDAR, decided_at=at(12, 1, 10), due_at=at(12, 3, 17, 30))
    assert first(3, ladder) == [
        ("reply_due", at(12, 3, 8, 30), ""),
        ("reply_deadline", at(12, 3, 17, 30), ""),
        ("reply_overdue", at(12, 4), "2026-12-04"),
    ]
    late = reply_ladder(CALENDAR, decided_at=at(12, 10, 10), due_at=at(12, 3, 17, 30))
    assert first(1, late) == [("reply_overdue", at(12, 11), "2026-12-11")]


def test_a_pass_sends_what_came_due_since_its_last_look_and_looks_again_at_the_next_rung() -> None:
    due_at = at(12, 3, 17, 30)
    plan = climb(step_ladder(CALENDAR, opened_at=at(11, 30), due_at=due_at, hours=4), since=None,
                 now=at(11, 30, 12), due_at=due_at)  # fmt: skip
    assert (plan.due, plan.next_at) == ((), at(11, 30, 13))
    plan = climb(step_ladder(CALENDAR, opened_at=at(11, 30), due_at=due_at, hours=4), since=at(11, 30, 13),
                 now=at(11, 30, 13, 1), due_at=due_at)  # fmt: skip
    assert [m.rung for m in plan.due] == [Rung.PENDING_4H] and plan.next_at == at(12, 3, 8, 30)


def test_after_downtime_stale_rungs_are_dropped_and_only_todays_daily_rung_is_sent() -> None:
    due_at = at(12, 3, 17, 30)
    ladder = step_ladder(CALENDAR, opened_at=at(11, 30), due_at=due_at, hours=4)
    plan = climb(ladder, since=at(11, 30, 13), now=at(12, 8, 10), due_at=due_at)
    # The 4-hour and due-morning rungs speak of a deadline gone; 4 and 7 Dec's daily rungs are old;
    # today's daily rung would tell the same people what the deadline rung tells them.
    assert [(m.rung, m.period) for m in plan.due] == [(Rung.DEADLINE, "")]
    assert plan.next_at == at(12, 9)


def test_working_days_late_skip_the_weekend() -> None:
    due_at = at(12, 3, 17, 30)
    assert [working_days_late(CALENDAR, due_at, at(12, d, 9)) for d in (3, 4, 5, 6, 7)] == [0, 1, 1, 1, 2]


moments = st.datetimes(min_value=dt.datetime(2026, 11, 1), max_value=dt.datetime(2027, 3, 1)).map(
    lambda d: d.replace(tzinfo=CN)
)


@given(opened=moments, now=moments, working_days=st.integers(1, 5), consultation=st.booleans())
def test_every_open_step_and_owed_reply_always_has_a_next_reminder(
    opened: dt.datetime, now: dt.datetime, working_days: int, consultation: bool
) -> None:
    due_at = CALENDAR.deadline_for(opened, working_days)
    for ladder in (
        step_ladder(CALENDAR, opened_at=opened, due_at=due_at, hours=4, consultation=consultation),
        reply_ladder(CALENDAR, decided_at=opened, due_at=due_at),
    ):
        plan = climb(ladder, since=None, now=now, due_at=due_at)
        assert plan.next_at > now
        assert all(m.at <= now for m in plan.due)
        assert len({(m.rung, m.period) for m in plan.due}) == len(plan.due)
        assert sum(m.rung in (Rung.OVERDUE_DAILY, Rung.REPLY_OVERDUE) for m in plan.due) <= 1
