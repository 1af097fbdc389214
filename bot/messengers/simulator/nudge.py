"""Push out the outbox rows that are due, so the simulator shows results right after a tick."""

from __future__ import annotations

import logging

from bot.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)


async def nudge_pending(resources: Resources) -> int:
    """Enqueue delivery of every pending, due outbox row; returns how many were enqueued.

    The job id carries the attempt count, as the delivery job's own retries do, so a row already
    queued is not queued twice and a finished job's kept result does not block a later attempt.
    """
    if resources.arq is None:
        return 0
    now = resources.clock.now()
    rows = await OutboxMessage.filter(status=OutboxStatus.PENDING.value, next_attempt_at__lte=now).only(
        "id", "attempts"
    )
    enqueued = 0
    for row in rows:
        job = await resources.arq.enqueue_job("deliver", row.id, _job_id=f"deliver:{row.id}:{row.attempts}")
        if job is not None:
            enqueued += 1
    return enqueued
