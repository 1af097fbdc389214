"""Claiming inbound events: only the oldest pending event of each sender, under a lease.

PostgreSQL locks the rows it claims (``FOR UPDATE SKIP LOCKED``, as the outbox's claims), so
workers never wait on each other; SQLite has one writer, which is enough. A claimed event stays
``pending`` with ``claimed_until`` ahead: it keeps blocking its sender's later events (the order
rule) and, should its worker die, is claimable again once the lease has passed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from models.inbound import InboundEvent

# Plain literals (no formatting): every value is a parameter. The inner query finds each sender's
# oldest pending event (the partial index on (sender, id)); the outer one keeps those due.
CLAIM = {
    # Each sender's oldest pending event is found once (a MATERIALIZED CTE): with the correlated
    # form, a table that grew faster than autovacuum analysed it (0 to thousands of rows in a
    # burst) got a nested loop re-aggregating every pending row per candidate, 7 s a claim.
    "postgres": 'WITH heads AS MATERIALIZED (SELECT DISTINCT ON (h."sender") h."id" FROM "inbound_event" h'
    ' WHERE h."state" = \'pending\' ORDER BY h."sender", h."id")'
    ' UPDATE "inbound_event" AS e SET "claimed_until" = $1, "attempts" = e."attempts" + 1'
    ' FROM (SELECT c."id" FROM "inbound_event" c WHERE c."id" IN (SELECT "id" FROM heads)'
    ' AND c."state" = \'pending\' AND c."next_attempt_at" <= $2 AND (c."claimed_until" IS NULL OR c."claimed_until" < $2)'
    ' ORDER BY c."id" LIMIT $3 FOR UPDATE OF c SKIP LOCKED) AS won WHERE e."id" = won."id"'
    ' RETURNING e."id", e."key", e."payload", e."attempts", e."sender"',
    "sqlite": 'UPDATE "inbound_event" SET "claimed_until" = ?, "attempts" = "attempts" + 1'
    ' WHERE "id" IN (SELECT c."id" FROM "inbound_event" c WHERE c."id" IN (SELECT MIN(h."id") FROM "inbound_event" h'
    ' WHERE h."state" = \'pending\' GROUP BY h."sender") AND c."state" = \'pending\''
    ' AND c."next_attempt_at" <= ? AND (c."claimed_until" IS NULL OR c."claimed_until" < ?)'
    ' ORDER BY c."id" LIMIT ?) RETURNING "id", "key", "payload", "attempts", "sender"',
}


@dataclass(frozen=True, slots=True)
class Claimed:
    """One event won by a claim: its ``attempts`` count this attempt."""

    id: int
    key: str
    payload: dict[str, Any]
    attempts: int
    sender: str


def _db_time(value: dt.datetime) -> Any:
    return InboundEvent._meta.fields_map["received_at"].to_db_value(value, InboundEvent)


async def claim(now: dt.datetime, lease: float, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` events (each the oldest pending of its sender), oldest first."""
    db = InboundEvent._meta.db
    until = _db_time(now + dt.timedelta(seconds=lease))
    at = _db_time(now)
    if db.capabilities.dialect == "postgres":
        rows = await db.execute_query_dict(CLAIM["postgres"], [until, at, limit])
    else:
        rows = await db.execute_query_dict(CLAIM["sqlite"], [until, at, at, limit])
    claimed = [
        Claimed(
            id=int(r["id"]),
            key=str(r["key"]),
            payload=json.loads(r["payload"])
            if isinstance(r["payload"], (str, bytes))
            else dict(r["payload"]),
            attempts=int(r["attempts"]),
            sender=str(r["sender"]),
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda c: c.id)
