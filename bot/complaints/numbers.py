"""Complaint numbers: ``TS-2026-0001``, sequential per organisation and year, without gaps
(the counter row is bumped with ``UPDATE … RETURNING`` like ``bot.matters.numbers``)."""

from __future__ import annotations

import re

from models.complaints import ComplaintCounter
from models.counters import first_row

BUMP = (
    'UPDATE "complaint_counter" SET "last_seq" = "last_seq" + 1'
    ' WHERE "organisation_id" = $1 AND "year" = $2 RETURNING "last_seq"'
)
START = (
    'INSERT INTO "complaint_counter" ("organisation_id", "year", "last_seq")'
    ' SELECT $1, $2, COALESCE(MAX("seq"), 0) FROM "complaint" WHERE "organisation_id" = $3 AND "year" = $4'
    ' ON CONFLICT ("organisation_id", "year") DO NOTHING'
)


def format_complaint_number(year: int, seq: int) -> str:
    return f"TS-{year}-{seq:04d}"


def normalise_complaint_number(text: str) -> str | None:
    """``ts-2026-7`` and ``TS-2026-0007`` both mean ``TS-2026-0007``; None if it is not one."""
    match = re.fullmatch(r"TS[-－—]?(\d{4})[-－—](\d{1,6})", text.strip(), re.IGNORECASE)
    if match is None:
        return None
    return format_complaint_number(int(match.group(1)), int(match.group(2)))


async def next_complaint_seq(organisation_id: int, year: int) -> int:
    """The organisation's next complaint number in ``year`` (inside the creating transaction)."""
    row = await first_row(ComplaintCounter, BUMP, [organisation_id, year])
    if row is None:
        await first_row(ComplaintCounter, START, [organisation_id, year, organisation_id, year])
        row = await first_row(ComplaintCounter, BUMP, [organisation_id, year])
    if row is None:
        raise RuntimeError(f"no complaint counter for organisation {organisation_id}, {year}")
    return int(row["last_seq"])
