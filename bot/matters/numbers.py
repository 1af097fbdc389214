"""Matter numbers: ``TJ-2026-0007``, sequential per organisation and year, without gaps."""

from __future__ import annotations

import re

from models.counters import MatterCounter, first_row

NUMBER_PATTERN = re.compile(r"^TJ-(\d{4})-(\d{4,})$", re.IGNORECASE)

# Taking the next number locks the counter row until the transaction ends: a concurrent
# submission of the same organisation waits here (it never fails), and a rollback gives the
# number back.
BUMP = (
    'UPDATE "matter_counter" SET "last_seq" = "last_seq" + 1'
    ' WHERE "organisation_id" = $1 AND "year" = $2 RETURNING "last_seq"'
)
# The year's first submission creates the counter, starting after any matter already numbered
# (rows written before counters existed); a concurrent creator's row wins and ours does nothing.
START = (
    'INSERT INTO "matter_counter" ("organisation_id", "year", "last_seq")'
    ' SELECT $1, $2, COALESCE(MAX("seq"), 0) FROM "matter" WHERE "organisation_id" = $3 AND "year" = $4'
    ' ON CONFLICT ("organisation_id", "year") DO NOTHING'
)


def format_number(year: int, seq: int) -> str:
    return f"TJ-{year}-{seq:04d}"


def normalise_number(text: str) -> str | None:
    """``tj-2026-7`` and ``TJ-2026-0007`` both mean ``TJ-2026-0007``; None if it is not a number."""
    match = re.fullmatch(r"TJ[-－—]?(\d{4})[-－—](\d{1,6})", text.strip(), re.IGNORECASE)
    if match is None:
        return None
    return format_number(int(match.group(1)), int(match.group(2)))


async def next_seq(organisation_id: int, year: int) -> int:
    """The organisation's next number in ``year`` (call inside the creating transaction, as late as
    possible: other submissions of the organisation wait for its commit)."""
    row = await first_row(MatterCounter, BUMP, [organisation_id, year])
    if row is None:
        await first_row(MatterCounter, START, [organisation_id, year, organisation_id, year])
        row = await first_row(MatterCounter, BUMP, [organisation_id, year])
    if row is None:  # the counter was just created, in this transaction or a committed one
        raise RuntimeError(f"no matter counter for organisation {organisation_id}, {year}")
    return int(row["last_seq"])
