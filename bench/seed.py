"""Bulk rows for the scheduled-work figures, cloned in SQL from rows the real flow wrote.

``clone_matters`` copies one matter written through `/wecom/callback` (and its decision step) with
``INSERT … SELECT … FROM generate_series``: every column is copied as the product wrote it, except
the identity, the number, the section (cycled over every section of the organisation, with its head
as the approver) and the times, which are all shifted together by a per-row interval. Columns other
helpers add (reminder due times, stored working hours) are copied and shifted the same way, so the
seeded rows stay what the product would have written at those times.
"""

from __future__ import annotations

import asyncpg

TIMESTAMP = "timestamp with time zone"


async def _columns(conn: asyncpg.Connection, table: str) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [(r["column_name"], r["data_type"]) for r in rows]


async def _insert_select(
    conn: asyncpg.Connection, table: str, overrides: dict[str, str], shift: str, source: str, *args: object
) -> int:
    """INSERT INTO table SELECT <each column of t, overridden or time-shifted> FROM <source>."""
    names, values = [], []
    for name, data_type in await _columns(conn, table):
        if name == "id":
            continue
        names.append(f'"{name}"')
        if name in overrides:
            values.append(overrides[name])
        elif data_type == TIMESTAMP:
            values.append(f't."{name}" + ({shift})')
        else:
            values.append(f't."{name}"')
    status = await conn.execute(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} FROM {source}",  # noqa: S608 - names from the catalogue
        *args,
    )
    return int(status.split()[-1])


async def clone_matters(
    conn: asyncpg.Connection, *, matter_id: int, count: int, first_seq: int, shift: str, sections: int = 10**6
) -> tuple[int, int]:
    """``count`` copies of matter ``matter_id`` and its first step over the organisation's first
    ``sections`` sections; ``shift`` is an SQL interval expression of ``g.i`` (1…count). Returns the
    id range of the new matters."""
    sections = await conn.fetch(
        "SELECT d.id, d.unit_id, d.head_id, (SELECT min(p.id) FROM person p WHERE p.department_id = d.id "
        "AND p.id <> d.head_id) AS member FROM department d WHERE d.organisation_id = "
        "(SELECT organisation_id FROM matter WHERE id = $1) ORDER BY d.id LIMIT $2",
        matter_id,
        sections,
    )
    n = len(sections)
    pick = "(${}::int[])"
    before = await conn.fetchval("SELECT coalesce(max(id), 0) FROM matter")
    await _insert_select(
        conn,
        "matter",
        {
            "number": f"'B' || ({first_seq} + g.i)",
            "seq": f"{first_seq} + g.i",
            "department_id": f"{pick.format(3)}[1 + g.i % {n}]",
            "unit_id": f"{pick.format(4)}[1 + g.i % {n}]",
            "submitter_id": f"{pick.format(5)}[1 + g.i % {n}]",
        },
        shift,
        "matter t CROSS JOIN generate_series(1, $2::int) AS g(i) WHERE t.id = $1",
        matter_id,
        count,
        [s["id"] for s in sections],
        [s["unit_id"] for s in sections],
        [s["member"] for s in sections],
    )
    after = await conn.fetchval("SELECT max(id) FROM matter")
    step_id = await conn.fetchval("SELECT min(id) FROM decision_step WHERE matter_id = $1", matter_id)
    await _insert_select(
        conn,
        "decision_step",
        {"matter_id": "m.id", "approver_id": "d.head_id"},
        "m.submitted_at - tm.submitted_at",
        "decision_step t, matter tm, matter m JOIN department d ON d.id = m.department_id "
        "WHERE t.id = $1 AND tm.id = $2 AND m.id > $3::int",
        step_id,
        matter_id,
        before,
    )
    await conn.execute("ANALYZE matter; ANALYZE decision_step")
    return before + 1, after


async def make_due(conn: asyncpg.Connection, first: int, last: int, by: str) -> None:
    """Move matters ``first…last`` (and their steps) back in time by the interval ``by``."""
    for table, key in (("matter", "id"), ("decision_step", "matter_id")):
        stamps = [n for n, t in await _columns(conn, table) if t == TIMESTAMP]
        sets = ", ".join(f'"{n}" = "{n}" - interval \'{by}\'' for n in stamps)
        await conn.execute(f"UPDATE {table} SET {sets} WHERE {key} BETWEEN $1 AND $2", first, last)  # noqa: S608
