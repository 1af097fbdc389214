"""Strict parsing of the clock API's inputs: ISO-8601 instants and durations."""

from __future__ import annotations

import datetime as dt
import re

from bot.web.inputs import InputError

# Weeks, days, hours, minutes, seconds. Years and months are refused: their length depends on the
# date, and "P1M" next to "PT1M" is an easy slip.
_DURATION = re.compile(
    r"P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?"
)
MAX_ADVANCE = dt.timedelta(days=3660)


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the simulated clock stays within the calendar's years


class TimeInputError(InputError):
    """A bad clock input; the message (Chinese) says what to fix."""


def parse_duration(text: str) -> dt.timedelta:
    """``PT4H``, ``P1D``, ``P1DT2H30M``, ``P2W`` … → timedelta (positive, at most about ten years)."""
    cleaned = text.strip().upper()
    match = _DURATION.fullmatch(cleaned)
    # "P1DT" (a T with nothing after it) is not valid ISO-8601.
    if match is None or cleaned.endswith("T"):
        raise TimeInputError(
            f"时长格式不对：{text!r}。请用 ISO-8601 时长，如 PT1H（1小时）、PT4H、P1D（1天）、P1DT2H30M；"
            "只支持周(W)、天(D)、时(H)、分(M)、秒(S)"
        )
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    if not parts:
        raise TimeInputError(f"时长格式不对：{text!r}。请至少写一个数量，如 PT4H 或 P1D")
    try:
        delta = dt.timedelta(
            weeks=parts.get("w", 0),
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    except OverflowError:  # more days than a timedelta holds: too long, as below
        delta = MAX_ADVANCE + dt.timedelta(days=1)
    if delta <= dt.timedelta(0):
        raise TimeInputError('时长必须大于零；要把时间往回调，请用 {"now": "2026-12-01T09:00:00+08:00"}')
    if delta > MAX_ADVANCE:
        raise TimeInputError("时长太长：一次最多前进约十年（3660 天）")
    return delta


def parse_instant(text: str) -> dt.datetime:
    """An ISO-8601 date-time that carries its timezone offset."""
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimeInputError(f"时间格式不对：{text!r}。请用 ISO-8601，如 2026-12-01T09:00:00+08:00") from None
    if when.tzinfo is None:
        raise TimeInputError(f"时间缺少时区：{text!r}。请写上时区，如 2026-12-01T09:00:00+08:00")
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise TimeInputError("时间超出范围：年份须在 2000 到 2100 之间")
    return when
