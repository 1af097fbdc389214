"""The ``deliver_batch`` job: a chunk of rows (``bot.outbox.queue``) delivered concurrently.

Plain rows (texts, group posts) are claimed with one statement per attempt count, their people
read in one query and marked sent in one statement, so a message costs about one HTTP call and
its share of three queries; card rows go one by one through ``deliver_row`` (they keep their order,
``bot.outbox.order``). Claims work as for one row: only due rows, pushed a lease ahead, under a
lease end unique to this claim so the rows that were won can be read back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from collections import Counter, defaultdict
from typing import Any

from arq import Retry

from bot.outbox.delivery import attempt, deliver_row
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus
from models.org import Person

log = logging.getLogger(__name__)

BATCH_CONCURRENCY = 25  # deliveries in flight at once, without a worker's gate
DELIVERY_GATE = "delivery_gate"


async def _claim_many(rows: list[OutboxMessage], now: dt.datetime, lease: float) -> list[OutboxMessage]:
    if not rows:
        return []
    # A lease end no other claim shares: the rows carrying it afterwards are the ones won here.
    until = now + dt.timedelta(seconds=lease, microseconds=secrets.randbelow(999_999))
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_attempts[row.attempts].append(row.id)
    for attempts, ids in by_attempts.items():
        await OutboxMessage.filter(
            id__in=ids, status=OutboxStatus.PENDING, attempts=attempts, next_attempt_at__lte=now
        ).update(attempts=attempts + 1, next_attempt_at=until)
    query = OutboxMessage.filter(id__in=[r.id for r in rows], next_attempt_at=until)
    won = {int(str(i)) for i in await query.values_list("id", flat=True)}
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
    people: dict[int, Person] = {}

    async def one(row: OutboxMessage | int) -> str:
        async with gate:
            try:
                async with asyncio.timeout(lease):  # started before the claim: ends inside the lease
                    if isinstance(row, int):  # a card row: alone, in order (bot.outbox.order)
                        return await deliver_row(resources, cards[row])
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
        people.update(
            (p.id, p) for p in await Person.filter(id__in={r.person_id for r in plain if r.person_id})
        )
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
