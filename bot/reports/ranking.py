"""Fair comparisons (分析研判, 考核): a row whose figure rests on fewer than `MIN_SAMPLE` matters is
shown but not ranked (“样本不足”); the others are ranked by their value, ties sharing a place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

MIN_SAMPLE = 5
TOO_FEW = "样本不足"


@dataclass
class Ranked:
    """One row of a comparison: ``value`` is what is ranked (a count, a rate, hours), ``sample`` how
    many matters (or steps) it rests on, ``link`` the matters behind it."""

    label: str
    value: float
    sample: int
    link: str
    rank: int | None = None  # None: not ranked (sample under MIN_SAMPLE)
    note: str = ""

    @property
    def ranked(self) -> bool:
        return self.rank is not None


def rank(rows: Iterable[Ranked], *, highest_first: bool = True) -> list[Ranked]:
    """``rows`` with their places: ranked rows first (by value), then the unranked ones (by value
    too, marked 样本不足). Equal values share a place (1, 2, 2, 4)."""
    rows = list(rows)
    ranked = sorted(
        (r for r in rows if r.sample >= MIN_SAMPLE),
        key=lambda r: (-r.value if highest_first else r.value, r.label),
    )
    place, previous = 0, None
    for index, row in enumerate(ranked, start=1):
        if row.value != previous:
            place, previous = index, row.value
        row.rank = place
        row.note = ""
    rest = sorted((r for r in rows if r.sample < MIN_SAMPLE), key=lambda r: (-r.value, r.label))
    for row in rest:
        row.rank = None
        row.note = TOO_FEW
    return ranked + rest


def share(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage with one decimal; None when ``whole`` is 0."""
    if whole <= 0:
        return None
    return round(100.0 * part / whole, 1)


def as_float(value: object) -> float:
    """A SUM from the database as a float (SQLite gives a float, PostgreSQL a Decimal, None for none)."""
    if value is None:
        return 0.0
    return float(Decimal(str(value)))


def average(total: float, count: int) -> float | None:
    """``total / count`` with one decimal; None when ``count`` is 0."""
    return round(total / count, 1) if count else None
