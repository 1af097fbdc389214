"""The ``deliver_batch`` job: a chunk of rows (``bot.outbox.queue``) delivered concurrently.

The chunk's people are read in one query; plain rows (texts, group posts) are claimed with one
statement per attempt count and marked sent in one statement, so a message costs about one HTTP call and
its share of three queries; card rows go one by one through ``deliver_row`` (they keep their order,
``bot.outbox.order``). Claims work as for one row: only due rows with the attempt count read, pushed a
lease ahead, one statement per attempt count that returns the rows won.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter, defaultdict
from typing import Any

from arq import Retry

from bot.outbox.delivery import attempt, deliver_row
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus
from models.org import Person
from models.rows import db_time, fetch_rows, placeholders

log = logging.getLogger(__name__)

BATCH_CONCURRENCY = 25  # deliveries in flight at once, without a worker's gate
DELIVERY_GATE = "delivery_gate"


def _claim_sql(count: int) -> str:
    """One attempt count's rows claimed in one statement; the rows won come back (RETURNING)."""
    return (
        'UPDATE "outbox" SET "attempts" = $1, "next_attempt_at" = $2'  # noqa: S608  # nosec B608: placeholders only
        f' WHERE "status" = $3 AND "attempts" = $4 AND "next_attempt_at" <= $5 AND "id" IN ({placeholders(6, count)})'
        ' RETURNING "id"'
    )


async def _claim_many(rows: list[OutboxMessage], now: dt.datetime, lease: float) -> list[OutboxMessage]:
    if not rows:
        return []
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_attempts[row.attempts].append(row.id)
    until, due = db_time(now + dt.timedelta(seconds=lease)), db_time(now)
    won: set[int] = set()
    for attempts, ids in by_attempts.items():
        values = [attempts + 1, until, OutboxStatus.PENDING.value, attempts, due, *ids]
        won.update(int(r["id"]) for r in await fetch_rows(OutboxMessage, _claim_sql(len(ids)), values))
    claimed = [row for row in rows if row.id in won]
    for row in claimed:
        row.attempts += 1
    return claimed


async def _retry_alone(resources: Resources, outbox_id: int, defer: float) -> None:
    if resources.arq is None:
        return
    attempts = await OutboxMessage.filter(id=outbox_id).values_list("attempts", flat=True)
    await resources.arq.enqueue_job(
        "deliver", outbox_id, _job_id=f"deliver:{outbox_id}:{attempts[0] if attempts else 0}:retry",
        _defer_by=defer,
    )  # fmt: skip


async def deliver_batch(ctx: dict[str, Any], outbox_ids: list[int]) -> dict[str, int]:
    """arq job: deliver a chunk of rows. A row to be tried again later gets a deferred job of its
    own, so one row's retry never re-runs the others."""
    resources: Resources = ctx["resources"]
    gate: asyncio.Semaphore = ctx.get(DELIVERY_GATE) or asyncio.Semaphore(BATCH_CONCURRENCY)
    lease = resources.settings.delivery_lease_seconds
    now = resources.clock.now()
    rows = await OutboxMessage.filter(
        id__in=outbox_ids, status=OutboxStatus.PENDING, next_attempt_at__lte=now
    )
    cards = {r.id: r for r in rows if r.card_id is not None}
    sent: list[int] = []
    # Everyone the chunk is addressed to, cards' recipients included, in one read.
    wanted = {r.person_id for r in rows if r.person_id}
    people = {p.id: p for p in await Person.filter(id__in=wanted)} if wanted else {}

    async def one(row: OutboxMessage | int) -> str:
        async with gate:
            try:
                async with asyncio.timeout(lease):  # started before the claim: ends inside the lease
                    if isinstance(row, int):  # a card row: alone, in order (bot.outbox.order)
                        card = cards[row]
                        return await deliver_row(resources, card, person=people.get(card.person_id or 0))
                    outcome = await attempt(
                        resources, row, person=people.get(row.person_id or 0), record=False
                    )
                    if outcome == "sent":
                        sent.append(row.id)
                    return outcome
            except Retry as retry:
                await _retry_alone(
                    resources, row if isinstance(row, int) else row.id, (retry.defer_score or 0) / 1000
                )
                return "retrying"

    # Card rows start at once (a click's next card is waiting on one), the plain rows once claimed.
    card_runs = [asyncio.ensure_future(one(card_id)) for card_id in cards]
    try:
        plain = await _claim_many([r for r in rows if r.card_id is None], now, lease)
    except BaseException:  # cut short (like gather's children): a card already sent records itself
        for run in card_runs:
            run.cancel()
        await asyncio.gather(*card_runs, return_exceptions=True)
        raise
    work: list[OutboxMessage | int] = [*cards, *plain]
    try:
        results = await asyncio.gather(*card_runs, *(one(row) for row in plain), return_exceptions=True)
    finally:  # recorded even when the job is cut short: what went out must not go out again
        if sent:
            await asyncio.shield(
                OutboxMessage.filter(id__in=sent).update(
                    status=OutboxStatus.SENT, sent_at=resources.clock.now(), last_error=""
                )
            )
    outcomes: Counter[str] = Counter()
    for item, result in zip(work, results, strict=True):
        if isinstance(result, BaseException):  # e.g. the database went away: the sweeper retries
            log.error("delivery of outbox %s crashed: %r", item if isinstance(item, int) else item.id, result)
            outcomes["crashed"] += 1
        else:
            outcomes[result] += 1
    outcomes["not claimed"] += len(outbox_ids) - len(work)
    return dict(outcomes)
