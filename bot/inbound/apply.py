"""Applying claimed inbound events: prepare (the platform's step), the sink (the router), mark.

Re-applying an event already applied is harmless: the router claims the event's key in its inbox
and answers DUPLICATE, so a crash between applying and marking loses nothing and doubles nothing.
A failure of ours (the database, a bug) is retried with back-off; after
``inbound_max_attempts`` the event is marked failed and its sender gets the BUSY text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from tortoise.transactions import in_transaction

from bot.events import Event, EventSink
from bot.inbound.claim import Claimed, claim
from bot.inbound.codec import decode
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.counters import first_row
from models.enums import Platform
from models.inbound import InboundEvent, InboundState
from models.org import Organisation

log = logging.getLogger(__name__)

# The router's words for "our failure, send it again" (handlers.dispatch.BUSY).
BUSY = "系统繁忙，请稍后再试一次。"
BACKOFF_BASE = 0.5  # seconds; the n-th retry waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_CAP
BACKOFF_CAP = 60.0
LEASE_MARGIN = 1.0  # seconds an apply must end before its lease, so no second worker overlaps it
# An event's outcome, precompiled (it ends every apply).
MARK = (
    'UPDATE "inbound_event" SET "state" = $1, "claimed_until" = NULL, "applied_at" = $2, "last_error" = $3'
    ' WHERE "id" = $4'
)

# A platform's own step before the router (WeCom: map the card's task id, keep the ResponseCode).
Prepare = Callable[[Resources, Event, Mapping[str, str]], Awaitable[Event]]


@dataclass(frozen=True)
class InboundApply:
    """What applying needs from the composition root: the sink, and each platform's step."""

    sink: EventSink
    prepares: Mapping[Platform, Prepare] = field(default_factory=dict)


def backoff(attempts: int) -> float:
    """Seconds before the next try of an event that failed ``attempts`` times."""
    return float(min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


async def apply_claimed(resources: Resources, inbound: InboundApply, row: Claimed) -> InboundState:
    """Apply one claimed event and record the outcome; never raises for a failure of the apply."""
    settings = resources.settings
    try:
        event, extras = decode(row.payload)
    except (KeyError, ValueError, TypeError) as error:  # not written by us: nothing to retry
        log.error("inbound %s unreadable (%r); marked failed", row.key, error)
        await _mark(row, InboundState.FAILED, resources, error=repr(error))
        return InboundState.FAILED
    try:
        async with asyncio.timeout(max(0.5, settings.inbound_lease_seconds - LEASE_MARGIN)):
            prepare = inbound.prepares.get(event.sender.platform)
            if prepare is not None:
                event = await prepare(resources, event, extras)
            reply = await inbound.sink.handle(event)
    except Exception as error:
        return await _failed(resources, row, event, error)
    log.info("inbound %s applied: ok=%s (attempt %d)", row.key, reply.ok, row.attempts)
    await _mark(row, InboundState.APPLIED, resources)
    return InboundState.APPLIED


async def _mark(row: Claimed, state: InboundState, resources: Resources, *, error: str = "") -> None:
    try:
        applied_at = resources.clock.now() if state is InboundState.APPLIED else None
        at = InboundEvent._meta.fields_map["applied_at"].to_db_value(applied_at, InboundEvent)
        await first_row(InboundEvent, MARK, [state.value, at, error[:2000], row.id])
    except Exception:  # the lease runs out and the event is applied again: a DUPLICATE, harmless
        log.exception("inbound %s: its outcome (%s) was not recorded", row.key, state.value)


async def _failed(resources: Resources, row: Claimed, event: Event, error: Exception) -> InboundState:
    cause = f"{type(error).__name__}: {error}"
    if row.attempts < resources.settings.inbound_max_attempts:
        delay = backoff(row.attempts)
        log.warning(
            "inbound %s failed (attempt %d: %s); retried in %.1fs", row.key, row.attempts, cause, delay
        )
        try:
            await InboundEvent.filter(id=row.id).update(
                claimed_until=None,
                next_attempt_at=resources.clock.now() + timedelta(seconds=delay),
                last_error=cause[:2000],
            )
        except Exception:  # the database is still away: the lease expires and the sweep retries
            log.warning("inbound %s: its retry was not recorded; retried after its lease", row.key)
        return InboundState.PENDING
    log.error(
        "inbound %s failed %d times (last: %s); marked failed, sender told", row.key, row.attempts, cause
    )
    await _mark(row, InboundState.FAILED, resources, error=cause)
    await tell_busy(resources, event)
    return InboundState.FAILED


async def tell_busy(resources: Resources, event: Event) -> None:
    """The sender's BUSY text through the outbox, so a failed event is never silently lost."""
    try:
        organisation = await Organisation.all().order_by("id").first()
        if organisation is None or not event.sender.user_id:
            return
        batch = OutboxBatch(resources.settings, organisation, resources.clock.now())
        async with in_transaction():
            await batch.text_to_address(
                event.sender.platform, event.sender.user_id, BUSY, dedupe_key=f"busy:{event.dedupe_key}"
            )
        await batch.nudge(resources)
    except Exception:
        log.exception("inbound %s: the BUSY text to its sender was not stored", event.dedupe_key)


async def apply_pending(resources: Resources, inbound: InboundApply, *, rounds: int = 1000) -> int:
    """Apply what is claimable now, a sender's events in order, different senders concurrently;
    the number applied or failed for good. The sweep and the tests use it; the worker's
    ``Applier`` does the same continuously."""
    done = 0
    for _ in range(rounds):
        settings = resources.settings
        rows = await claim(
            resources.clock.now(), settings.inbound_lease_seconds, settings.inbound_concurrency
        )
        if not rows:
            break
        outcomes = await asyncio.gather(*(apply_claimed(resources, inbound, row) for row in rows))
        done += sum(outcome is not InboundState.PENDING for outcome in outcomes)
    return done
