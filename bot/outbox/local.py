"""Delivery in the process that wrote the rows: the worker that applied an event sends its messages
itself, at once, instead of queueing an arq job for them.

An arq job costs about eight Redis round trips and its bookkeeping before a message goes out; the
worker applying inbound events already holds everything a delivery needs (the same
``deliver_batch``, its gate and its metrics). Nothing is less safe for it: the outbox's claims
keep each row sent once, a row whose delivery wants another try gets its own deferred arq job
(``bot.outbox.bulk``), and rows that a stopped or failing process left pending are queued again by
the sweeper (``bot.outbox.delivery.sweep_outbox``) within ``sweep_every_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

log = logging.getLogger(__name__)

BatchJob = Callable[[dict[str, Any], list[int]], Awaitable[Any]]


class LocalDelivery:
    """Runs ``job`` (``deliver_batch``, counted by the worker's metrics) for rows just written, as
    tasks of this process, at most ``limit`` batches at once (beyond that the rows go to arq)."""

    def __init__(self, ctx: dict[str, Any], job: BatchJob, *, timeout: float, limit: int = 100) -> None:
        self.ctx = ctx
        self.job = job
        self.timeout = timeout
        self.limit = limit
        self.running: set[asyncio.Task[None]] = set()
        self.closed = False

    def submit(self, ids: Sequence[int]) -> bool:
        """Start delivering ``ids`` here; False (the caller queues an arq job) once stopping or full."""
        if self.closed or len(self.running) >= self.limit:
            return False
        task = asyncio.create_task(self._deliver(list(ids)))
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        return True

    async def _deliver(self, ids: list[int]) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await self.job(self.ctx, ids)
        except Exception as error:  # the rows stay pending: the sweeper queues them again
            log.warning(
                "delivery of outbox %s here failed (%s: %s); the sweeper queues it again",
                ids,
                type(error).__name__,
                error,
            )

    async def close(self, grace: float) -> None:
        """Take no more rows; let those in flight finish for ``grace`` seconds, then cut them (a
        message already sent records itself; the others stay pending for the sweeper)."""
        self.closed = True
        if not self.running:
            return
        _, pending = await asyncio.wait(set(self.running), timeout=grace)
        for task in pending:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*pending, return_exceptions=True)
