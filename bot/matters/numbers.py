"""Matter numbers: ``TJ-2026-0007``, sequential per organisation and year, without gaps."""

from __future__ import annotations

import re

from models.counters import MatterCounter, first_row
from models.matter import Matter

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


async def insert_numbered(matter: Matter) -> None:
    """Insert the unsaved ``matter`` (its organisation and ``year`` set) with the organisation's
    next number of that year. On PostgreSQL the counter's bump and the INSERT are one statement,
    so the counter row is locked for one round trip fewer; elsewhere ``next_seq`` then the INSERT."""
    db = Matter._meta.db
    if db.capabilities.dialect != "postgres":
        matter.seq = await next_seq(matter.organisation_id, matter.year)
        matter.number = format_number(matter.year, matter.seq)
        await matter.save(force_create=True)
        return
    sql, values = _bump_and_insert(matter)
    row = await first_row(Matter, sql, values)
    if row is None:  # the year's first matter: create its counter (as next_seq does), then again
        await first_row(MatterCounter, START, [matter.organisation_id, matter.year] * 2)
        row = await first_row(Matter, sql, values)
    if row is None:
        raise RuntimeError(f"no matter counter for organisation {matter.organisation_id}, {matter.year}")
    matter.id, matter.seq, matter.number = int(row["id"]), int(row["seq"]), str(row["number"])
    matter._saved_in_db = True
    if matter.number != format_number(matter.year, matter.seq):  # the SQL's format is ours
        raise RuntimeError(f"matter number {matter.number} does not match its seq {matter.seq}")


def _bump_and_insert(matter: Matter) -> tuple[str, list[object]]:
    """``BUMP`` and the matter's INSERT in one WITH: the number is formatted from the bumped seq
    (``format_number``: four digits at least). Column names come from the model's metadata."""
    meta = Matter._meta
    executor = meta.db.executor_class(model=Matter, db=meta.db)
    values: list[object] = [matter.organisation_id, matter.year]
    selected = []
    for name in executor.regular_columns:
        if name == "seq":
            selected.append('c."last_seq"')
        elif name == "number":
            values.append(f"TJ-{matter.year}-")
            selected.append(
                f'${len(values)}::text || CASE WHEN c."last_seq" < 10000'
                ' THEN lpad(c."last_seq"::text, 4, \'0\') ELSE c."last_seq"::text END'
            )
        else:
            values.append(meta.fields_map[name].to_db_value(getattr(matter, name), matter))
            selected.append(f"${len(values)}")
    names = ", ".join(f'"{meta.fields_db_projection[name]}"' for name in executor.regular_columns)
    sql = (
        f'WITH c AS ({BUMP}) INSERT INTO "matter" ({names}) SELECT {", ".join(selected)} FROM c'  # noqa: S608  # nosec B608: names from model metadata, values are parameters
        ' RETURNING "id", "seq", "number"'
    )
    return sql, values
