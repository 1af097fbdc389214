"""Matter numbers: ``TJ-2026-0007``, sequential per organisation and year."""

from __future__ import annotations

import re

from tortoise.functions import Max

from models.matter import Matter

NUMBER_PATTERN = re.compile(r"^TJ-(\d{4})-(\d{4,})$", re.IGNORECASE)


def format_number(year: int, seq: int) -> str:
    return f"TJ-{year}-{seq:04d}"


def normalise_number(text: str) -> str | None:
    """``tj-2026-7`` and ``TJ-2026-0007`` both mean ``TJ-2026-0007``; None if it is not a number."""
    match = re.fullmatch(r"TJ[-－—]?(\d{4})[-－—](\d{1,6})", text.strip(), re.IGNORECASE)
    if match is None:
        return None
    return format_number(int(match.group(1)), int(match.group(2)))


async def next_seq(organisation_id: int, year: int) -> int:
    """The next free sequence number (inside the creating transaction; the unique
    (organisation, year, seq) constraint turns a concurrent duplicate into a retry)."""
    result = (
        await Matter.filter(organisation_id=organisation_id, year=year).annotate(top=Max("seq")).values("top")
    )
    top = result[0]["top"] if result else None
    return 1 if top is None else int(top) + 1
