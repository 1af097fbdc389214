"""The request path: store the event (the dedupe), then wake the worker."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from redis.asyncio import Redis

from bot.clock import Clock
from bot.events import Event
from bot.inbound.codec import encode, sender_key
from models.inbound import InboundEvent, InboundState

log = logging.getLogger(__name__)

WAKE_CHANNEL = "tiji:inbound:wake"
# Plain literals (no formatting): every value is a parameter.
ACCEPT = {
    "postgres": 'INSERT INTO "inbound_event" ("key", "platform", "sender", "payload", "received_at", "state",'
    ' "attempts", "next_attempt_at", "last_error") VALUES ($1, $2, $3, $4::jsonb, $5, $6, 0, $5, \'\')'
    ' ON CONFLICT ("key") DO NOTHING RETURNING "id"',
    "sqlite": 'INSERT INTO "inbound_event" ("key", "platform", "sender", "payload", "received_at", "state",'
    ' "attempts", "next_attempt_at", "last_error") VALUES (?, ?, ?, ?, ?, ?, 0, ?, \'\')'
    ' ON CONFLICT ("key") DO NOTHING RETURNING "id"',
}


async def accept(clock: Clock, event: Event, extras: Mapping[str, str] | None = None) -> bool:
    """Store ``event`` once: True when it is new, False for a re-delivery of a stored event.

    One statement, committed when it returns; any database error propagates (the caller answers
    the platform with a non-200 so that it delivers the event again)."""
    db = InboundEvent._meta.db
    postgres = db.capabilities.dialect == "postgres"
    now = clock.now()
    payload = json.dumps(encode(event, extras or {}), ensure_ascii=False)
    received = InboundEvent._meta.fields_map["received_at"].to_db_value(now, InboundEvent)
    values: list[object] = [event.dedupe_key, event.sender.platform.value, sender_key(event.sender), payload,
                            received, InboundState.PENDING.value]  # fmt: skip
    if not postgres:
        values.append(received)
    rows = await db.execute_query_dict(ACCEPT["postgres" if postgres else "sqlite"], values)
    return bool(rows)


async def wake(redis: Redis) -> None:
    """Tell the workers an event is waiting (one command). Losing it only costs a sweep's delay."""
    try:
        await redis.publish(WAKE_CHANNEL, "1")
    except Exception as error:
        log.warning(
            "inbound wake-up not sent (%s: %s); the sweep applies the event", type(error).__name__, error
        )
