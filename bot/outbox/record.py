"""Recording a row as sent: its status, and for a card its platform state (and first delivery's
time) and the updates it covered (``merged``, ``bot.outbox.order``), all at once.

On PostgreSQL a card's record is one statement (data-modifying CTEs, atomic without a transaction
of ours: three round trips fewer per card sent); SQLite, which has none, does the same writes in
one transaction. A text or a group post is one UPDATE on both.
"""

from __future__ import annotations

import datetime as dt
import json

from tortoise.transactions import in_transaction

from bot.outbox.order import mark_merged
from models.cards import merge_platform_state
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.rows import db_time, fetch_rows

SENT = 'UPDATE "outbox" SET "status" = $1, "sent_at" = $2, "last_error" = \'\' WHERE "id" = $3'
# $1 the state's keys (JSON) or NULL for none, $2 the first delivery's time or NULL, $3 the card,
# $4 the updates covered, $5 the time sent, $6 the row. Plain literal: every value is a parameter.
CARD_SENT = (
    'WITH card AS (UPDATE "card_instance" SET "platform_state" = COALESCE("platform_state", \'{}\'::jsonb)'
    ' || $1::jsonb, "sent_at" = COALESCE($2, "sent_at") WHERE "id" = $3 AND $1::jsonb IS NOT NULL RETURNING "id"),'
    ' merged AS (UPDATE "outbox" SET "status" = \'merged\', "last_error" = \'\''
    ' WHERE "id" = ANY($4::int[]) AND "status" = \'pending\' RETURNING "id")'
    ' UPDATE "outbox" SET "status" = \'sent\', "sent_at" = $5, "last_error" = \'\' WHERE "id" = $6'
)


async def record_sent(
    row: OutboxMessage, state: dict[str, str] | None, merged: list[int], now: dt.datetime
) -> None:
    """``row`` was delivered at ``now``; ``state`` is what the platform answered for a card."""
    if row.card_id is None:  # a text or a group post: one row, one statement
        await fetch_rows(OutboxMessage, SENT, [OutboxStatus.SENT.value, db_time(now), row.id])
        return
    first = now if row.kind == OutboxKind.CARD else None
    if OutboxMessage._meta.db.capabilities.dialect == "postgres":
        keys = None if state is None else json.dumps(state, ensure_ascii=False)
        at = None if first is None else db_time(first)
        await fetch_rows(OutboxMessage, CARD_SENT, [keys, at, row.card_id, merged, db_time(now), row.id])
        return
    async with in_transaction():
        if state is not None:
            await merge_platform_state("id", row.card_id, state, sent_at=first)
        await fetch_rows(OutboxMessage, SENT, [OutboxStatus.SENT.value, db_time(now), row.id])
        await mark_merged(merged)
