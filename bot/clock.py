"""The one injected clock. Real in production; the simulator can set and advance it."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class SimClock:
    """A clock that runs with real time from a settable offset (the simulator's `POST /sim/api/clock`)."""

    def __init__(self, offset: dt.timedelta = dt.timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def set(self, when: dt.datetime) -> dt.datetime:
        if when.tzinfo is None:
            raise ValueError("time must carry a timezone offset")
        self.offset = when - dt.datetime.now(dt.UTC)
        return self.now()

    def advance(self, by: dt.timedelta) -> dt.datetime:
        self.offset += by
        return self.now()
