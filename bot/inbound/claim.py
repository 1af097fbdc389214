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

from tortoise.transactions import in_transaction

from models.inbound import InboundEvent

# Plain literals (no formatting): every value is a parameter. The inner query finds each sender's
# oldest pending event (the partial index on (state, sender, id)) and how many that sender has
# waiting; the outer one locks those heads that are due.
CLAIM = {
    # Each sender's oldest pending event is found once (a MATERIALIZED CTE): with the correlated
    # form, a table that grew faster than autovacuum analysed it (0 to thousands of rows in a
    # burst) got a nested loop re-aggregating every pending row per candidate, 7 s a claim.
    # The heads are read once, and the due/lease tests are repeated on the locked row (``c``) so
    # that a row changed meanwhile is re-checked after its lock.
    "postgres": 'WITH heads AS MATERIALIZED (SELECT DISTINCT ON (h."sender") h."id", h."next_attempt_at",'
    ' h."claimed_until", count(*) OVER (PARTITION BY h."sender") AS "queued" FROM "inbound_event" h'
    ' WHERE h."state" = \'pending\' ORDER BY h."sender", h."id")'
    ' UPDATE "inbound_event" AS e SET "claimed_until" = $1, "attempts" = e."attempts" + 1'
    ' FROM (SELECT c."id", heads."queued" FROM heads JOIN "inbound_event" c ON c."id" = heads."id"'
    ' WHERE heads."next_attempt_at" <= $2 AND (heads."claimed_until" IS NULL OR heads."claimed_until" < $2)'
    ' AND c."state" = \'pending\' AND c."next_attempt_at" <= $2 AND (c."claimed_until" IS NULL OR c."claimed_until" < $2)'
    ' ORDER BY c."id" LIMIT $3 FOR UPDATE OF c SKIP LOCKED) AS won WHERE e."id" = won."id"'
    ' RETURNING e."id", e."key", e."payload", e."attempts", e."sender", won."queued" > 1 AS "has_next"',
    # The claim leaves ``state`` as it is, so the sender's count of pending events includes this one.
    "sqlite": 'UPDATE "inbound_event" SET "claimed_until" = ?, "attempts" = "attempts" + 1'
    ' WHERE "id" IN (SELECT c."id" FROM "inbound_event" c WHERE c."id" IN (SELECT MIN(h."id") FROM "inbound_event" h'
    ' WHERE h."state" = \'pending\' GROUP BY h."sender") AND c."state" = \'pending\''
    ' AND c."next_attempt_at" <= ? AND (c."claimed_until" IS NULL OR c."claimed_until" < ?)'
    ' ORDER BY c."id" LIMIT ?) RETURNING "id", "key", "payload", "attempts", "sender", (SELECT count(*) FROM "inbound_event" x'
    ' WHERE x."sender" = "inbound_event"."sender" AND x."state" = \'pending\') > 1 AS "has_next"',
}
# Applied events leave the partial index's predicate, but their entries stay in the index until a
# vacuum. A bitmap scan (the planner's choice for a few pending rows) visits every such dead entry
# on every claim: 16,000 of them after a burst, 1.9 ms a claim. A plain index scan marks the dead
# entries it passes as killed, so the next claim skips them (0.04 ms): the plan is pinned for the
# claim's own transaction.
INDEX_SCAN = "SET LOCAL enable_bitmapscan = off"


@dataclass(frozen=True, slots=True)
class Claimed:
    """One event won by a claim: its ``attempts`` count this attempt."""

    id: int
    key: str
    payload: dict[str, Any]
    attempts: int
    sender: str
    has_next: bool = True  # the sender had later events waiting when this one was claimed


def _db_time(value: dt.datetime) -> Any:
    return InboundEvent._meta.fields_map["received_at"].to_db_value(value, InboundEvent)


async def claim(now: dt.datetime, lease: float, limit: int) -> list[Claimed]:
    """Claim up to ``limit`` events (each the oldest pending of its sender), oldest first."""
    db = InboundEvent._meta.db
    until = _db_time(now + dt.timedelta(seconds=lease))
    at = _db_time(now)
    if db.capabilities.dialect == "postgres":
        async with in_transaction() as conn:
            await conn.execute_script(INDEX_SCAN)
            rows = await conn.execute_query_dict(CLAIM["postgres"], [until, at, limit])
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
            has_next=bool(r["has_next"]),
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda c: c.id)
