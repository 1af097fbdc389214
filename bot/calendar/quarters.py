"""Calendar quarters (“2026Q3”): parsing, arithmetic and their local start and end.

The policy's reporting rhythm is the calendar quarter (每季度汇总, 下一季度初的5个工作日内报送). A
quarter is a value; where it starts and ends as a moment depends on the organisation's timezone,
so those take the zone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

QUARTERS_PER_YEAR = 4

_PATTERN = re.compile(r"^\s*(\d{4})\s*(?:年\s*)?[-_ ]?\s*(?:[Qq]|第)?\s*([1-4一二三四])\s*(?:季度|季)?\s*$")
_CHINESE_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """One calendar quarter; ``str()`` gives the canonical form ``2026Q3``."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= QUARTERS_PER_YEAR:
            raise ValueError(f"季度只能是 1 到 4，收到 {self.number}")
        if not dt.MINYEAR < self.year < dt.MAXYEAR:
            raise ValueError(f"年份超出范围：{self.year}")

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        """“2026年第3季度”."""
        return f"{self.year}年第{self.number}季度"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        if self.number == QUARTERS_PER_YEAR:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)

    def contains(self, day: dt.date) -> bool:
        return self.first_day <= day <= self.last_day

    def start_at(self, tz: ZoneInfo) -> dt.datetime:
        """Local midnight of the first day, as aware UTC."""
        return dt.datetime.combine(self.first_day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)

    def end_at(self, tz: ZoneInfo) -> dt.datetime:
        """Local midnight after the last day (exclusive end), as aware UTC."""
        return self.next().start_at(tz)

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def of_moment(cls, moment: dt.datetime, tz: ZoneInfo) -> Quarter:
        """The quarter a moment falls in, by its local date."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        return cls.containing(moment.astimezone(tz).date())


def parse_quarter(text: str) -> Quarter:
    """``2026Q3``, ``2026q3``, ``2026-Q3``, ``2026年第3季度``, ``2026年三季度`` → Quarter.

    Raises ValueError with a Chinese message saying the expected form.
    """
    match = _PATTERN.match(text or "")
    if not match:
        raise ValueError(f"看不懂季度“{text}”，请写成 2026Q3 这样的形式（年份加 Q 加 1 到 4）")
    year, number = match.group(1), match.group(2)
    return Quarter(int(year), _CHINESE_DIGITS.get(number) or int(number))


def previous_quarter(moment: dt.datetime, tz: ZoneInfo) -> Quarter:
    """The quarter before the one ``moment`` falls in (the one a digest at that moment covers)."""
    return Quarter.of_moment(moment, tz).previous()
