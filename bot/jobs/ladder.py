"""The 催办 ladder as pure functions of the work calendar (no I/O).

An open step is chased: ``reminder_working_hours`` working hours after it opens, on the morning of
the due day, at the deadline (its holder, the next level up and the office), then every working day
at 09:00 until it is decided. A consulted deputy's step (会商) instead lapses at its deadline
(`bot.jobs.consultations`). An owed reply (resolved or refused, not yet recorded) is chased: the
first-contact person on the due morning, at the deadline, then every working day at 09:00.

A ladder is an endless, time-ordered stream of `Moment`s (the daily rung never ends), so every open
step and owed reply always has a next reminder. `climb` says which rungs a pass sends now and when
to look again; rungs a pass missed while the system was down are caught up once, except those that
speak of a deadline already gone and the daily rungs older than today's.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from bot.calendar.workdays import WorkCalendar

DAILY_AT = dt.time(9, 0)


class Rung(StrEnum):
    """A rung of the ladder; its value is the ``DutyRun.kind`` that keeps it to once."""

    PENDING_4H = "pending_4h"  # step: open for reminder_working_hours working hours
    DUE_MORNING = "due_morning"  # step: the morning of the due day
    DEADLINE = "deadline"  # step: at the deadline → holder, next level up, office
    OVERDUE_DAILY = "overdue_daily"  # step: every working day at 09:00 until decided
    CONSULTATION_LAPSED = "consultation_lapsed"  # 会商 step: its deadline passed unanswered
    REPLY_DUE = "reply_due"  # owed reply: the due morning
    REPLY_DEADLINE = "reply_deadline"  # owed reply: at the deadline
    REPLY_OVERDUE = "reply_overdue"  # owed reply: every working day at 09:00 until recorded
    COMPLAINT_DEADLINE = "complaint_deadline"  # complaint: at its deadline → holder, deputy, office
    COMPLAINT_OVERDUE = "complaint_overdue"  # complaint: every working day at 09:00 until done


DAILY_RUNGS = frozenset({Rung.OVERDUE_DAILY, Rung.REPLY_OVERDUE, Rung.COMPLAINT_OVERDUE})
# Rungs whose words ("今日 17:30 前") are wrong once the deadline has passed: never caught up late.
BEFORE_DEADLINE_RUNGS = frozenset({Rung.PENDING_4H, Rung.DUE_MORNING, Rung.REPLY_DUE})
# Rungs that tell the same people how late it is, as a daily rung does: caught up together with a
# daily rung (after downtime or a clock moved on), only the deadline rung goes, or each person would
# get the same words twice.
DEADLINE_RUNGS = frozenset(
    {Rung.DEADLINE, Rung.REPLY_DEADLINE, Rung.CONSULTATION_LAPSED, Rung.COMPLAINT_DEADLINE}
)


@dataclass(frozen=True, slots=True)
class Moment:
    """One rung at one time; ``period`` keeps a daily rung to once per day (``""`` otherwise)."""

    rung: Rung
    at: dt.datetime
    period: str = ""


@dataclass(frozen=True, slots=True)
class Climb:
    """What a pass does for one step or reply now: send ``due`` (in order), look again at ``next_at``."""

    due: tuple[Moment, ...]
    next_at: dt.datetime


def _daily(calendar: WorkCalendar, after: dt.date, rung: Rung) -> Iterator[Moment]:
    """``rung`` at 09:00 on every working day after ``after``."""
    day = after
    while True:
        day = calendar.next_workday(day)
        yield Moment(rung, calendar.at_local(day, DAILY_AT), day.isoformat())


def consultation_deadline(calendar: WorkCalendar, due_at: dt.datetime, opened_at: dt.datetime) -> dt.datetime:
    """When a 会商 lapses: the matter's deadline, but never before the end of the working day after
    the consultation opened (deputies consulted late still get a working day to answer)."""
    grace = calendar.end_of_office(calendar.next_workday(calendar.local_date(opened_at)))
    return max(due_at, grace)


def step_ladder(
    calendar: WorkCalendar,
    *,
    opened_at: dt.datetime,
    due_at: dt.datetime,
    hours: float,
    consultation: bool = False,
) -> Iterator[Moment]:
    """The rungs of a step opened at ``opened_at`` for a matter due at ``due_at``, in time order."""
    first: list[Moment] = []
    pending = calendar.add_working_hours(opened_at, hours)
    if pending < due_at:
        first.append(Moment(Rung.PENDING_4H, pending))
    morning = calendar.at_local(calendar.local_date(due_at), calendar.office_start)
    if opened_at < morning:  # opened on the due day itself: its card already says so
        first.append(Moment(Rung.DUE_MORNING, morning))
    if consultation:
        end = consultation_deadline(calendar, due_at, opened_at)
        first.append(Moment(Rung.CONSULTATION_LAPSED, end))
    else:
        end = max(due_at, opened_at)
        if opened_at < due_at:  # opened already late: the daily rungs chase it from tomorrow
            first.append(Moment(Rung.DEADLINE, due_at))
    first.sort(key=lambda m: m.at)
    return itertools.chain(first, _daily(calendar, calendar.local_date(end), Rung.OVERDUE_DAILY))


def reply_ladder(calendar: WorkCalendar, *, decided_at: dt.datetime, due_at: dt.datetime) -> Iterator[Moment]:
    """The rungs of a reply owed since ``decided_at`` for a matter due at ``due_at``, in time order."""
    first: list[Moment] = []
    morning = calendar.at_local(calendar.local_date(due_at), calendar.office_start)
    if decided_at < morning:
        first.append(Moment(Rung.REPLY_DUE, morning))
    if decided_at < due_at:
        first.append(Moment(Rung.REPLY_DEADLINE, due_at))
    end = calendar.local_date(max(due_at, decided_at))
    return itertools.chain(first, _daily(calendar, end, Rung.REPLY_OVERDUE))


def complaint_ladder(calendar: WorkCalendar, *, deadline: dt.datetime) -> Iterator[Moment]:
    """A complaint held by a section: its deadline, then every working day at 09:00 after it."""
    return itertools.chain(
        [Moment(Rung.COMPLAINT_DEADLINE, deadline)],
        _daily(calendar, calendar.local_date(deadline), Rung.COMPLAINT_OVERDUE),
    )


def climb(
    ladder: Iterable[Moment], *, since: dt.datetime | None, now: dt.datetime, due_at: dt.datetime
) -> Climb:
    """The rungs to send at ``now`` and the next look.

    ``since`` is the stored ``next_reminder_at`` (rungs before it were handled by an earlier pass;
    ``None``: never looked at). Of the rungs due, those speaking of a deadline already past are
    dropped, and of the daily rungs only the latest is kept (none when a deadline rung goes too).
    """
    due: list[Moment] = []
    for moment in ladder:
        if moment.at > now:
            kept = [m for m in due if m.rung not in DAILY_RUNGS]
            daily = [m for m in due if m.rung in DAILY_RUNGS][-1:]
            if any(m.rung in DEADLINE_RUNGS for m in kept):
                daily = []
            return Climb(tuple(kept + daily), moment.at)
        if since is not None and moment.at < since:
            continue
        if moment.rung in BEFORE_DEADLINE_RUNGS and now >= due_at:
            continue
        due.append(moment)
    raise AssertionError("a ladder never ends")  # pragma: no cover - the daily rungs are endless


def working_days_late(calendar: WorkCalendar, due_at: dt.datetime, now: dt.datetime) -> int:
    """How many working days after the due day ``now`` is (0 on the due day itself)."""
    day, today, late = calendar.local_date(due_at), calendar.local_date(now), 0
    while day < today:
        day += dt.timedelta(days=1)
        late += calendar.is_workday(day)
    return late
