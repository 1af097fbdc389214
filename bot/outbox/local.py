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
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.outbox.queue import BATCH_SIZE, enqueue_deliveries

log = logging.getLogger(__name__)

BatchJob = Callable[[dict[str, Any], list[int]], Awaitable[Any]]
CONSUMERS = 8  # chunks delivered at once (each sends its rows concurrently, under the worker's gate)
BACKLOG = 5000  # rows waiting here at most; beyond, they are queued for arq as anywhere else


class LocalDelivery:
    """Runs ``job`` (``deliver_batch``, counted by the worker's metrics) for rows just written, as
    tasks of this process. The rows wait in one line and go in chunks of up to ``BATCH_SIZE``, at
    most ``consumers`` chunks at once: one event's rows go out at once when the worker is idle, and
    a burst's are delivered in a few large chunks (their rows and people read once per chunk)
    instead of one small batch per event."""

    def __init__(
        self,
        ctx: dict[str, Any],
        job: BatchJob,
        *,
        timeout: float,
        consumers: int = CONSUMERS,
        backlog: int = BACKLOG,
    ) -> None:
        self.ctx = ctx
        self.job = job
        self.timeout = timeout
        self.consumers = consumers
        self.backlog = backlog
        self.waiting: deque[int] = deque()
        self.running: set[asyncio.Task[None]] = set()
        self.closed = False

    def submit(self, ids: Sequence[int]) -> bool:
        """Deliver ``ids`` here; False (the caller queues an arq job) once stopping or full."""
        if self.closed or len(self.waiting) + len(ids) > self.backlog:
            return False
        self.waiting.extend(ids)
        # A consumer that has just returned is done but still in the set until its callback runs.
        if sum(not task.done() for task in self.running) < self.consumers:
            task = asyncio.create_task(self._consume())
            self.running.add(task)
            task.add_done_callback(self.running.discard)
        return True

    async def _consume(self) -> None:
        while self.waiting and not self.closed:
            chunk = [self.waiting.popleft() for _ in range(min(BATCH_SIZE, len(self.waiting)))]
            await self._deliver(chunk)

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
        """Take no more rows and start no more chunks; let those in flight finish for ``grace``
        seconds, then cut them (a message already sent records itself). Rows still waiting here
        are queued for arq, so another worker sends them (else the sweeper does)."""
        self.closed = True
        if self.running:
            _, pending = await asyncio.wait(set(self.running), timeout=grace)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                await asyncio.gather(*pending, return_exceptions=True)
        await self._hand_over()

    async def _hand_over(self) -> None:
        ids, arq = list(self.waiting), self.ctx["resources"].arq
        self.waiting.clear()
        if not ids or arq is None:
            return
        try:
            await enqueue_deliveries(arq, ids, key="handover")
        except Exception as error:  # the rows are committed: the sweeper has them
            log.warning("outbox %s not handed over (%s); the sweeper queues it again", ids, error)
