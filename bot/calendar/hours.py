"""Working hours as they are stored with a decision (``DecisionStep.working_hours``,
``Matter.decided_hours``): computed once, when the decision is made, so that the quarterly figures
average them in SQL and never walk the calendar per matter again."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from bot.calendar.workdays import WorkCalendar
from models.matter import HOURS_PLACES

_QUANTUM = Decimal(1).scaleb(-HOURS_PLACES)


def decision_hours(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> Decimal:
    """Office hours on working days from ``start`` to ``end``, to the stored precision."""
    hours = calendar.working_hours_between(start, end)
    return Decimal(repr(hours)).quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def working_time_text(hours: Decimal | float | None, empty: str = "—") -> str:
    """Working hours to the minute, as shown to people: ``0小时12分``, ``27小时0分``; a decision
    taken within the minute is ``不足1分钟`` (never a bare 0), nothing to average is ``empty``."""
    if hours is None:
        return empty
    minutes = round(Decimal(str(hours)) * 60)
    if minutes == 0:
        return "不足1分钟" if hours > 0 else "0小时0分"
    whole, rest = divmod(int(minutes), 60)
    return f"{whole}小时{rest}分"
