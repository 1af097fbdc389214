"""The worker's ``Applier``: takes a woken event at once, keeps ``inbound_concurrency`` in flight.

It listens on the wake-up channel (``bot.inbound.accept.WAKE_CHANNEL``); each wake-up makes it
claim again for the free slots. An apply that ends makes it claim again only when that can find
something: its sender's next event (waiting at the claim, or stored since: then its wake-up came
after the claim began), or, when the last claim filled every slot (a backlog), once a quarter of
the slots are free — a burst is claimed in batches, not one claim per apply. Without wake-ups it
still claims every ``inbound_sweep_seconds``, and the arq cron sweep (``bot.jobs.worker``) applies
what is left should this loop not run at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging

from bot.inbound.accept import WAKE_CHANNEL
from bot.inbound.apply import InboundApply, apply_claimed
from bot.inbound.claim import Claimed, claim
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

RECONNECT_CAP = 5.0  # seconds between tries to subscribe again after Redis went away


class Applier:
    """Applies inbound events continuously until its ``stop`` is set."""

    def __init__(self, resources: Resources, inbound: InboundApply) -> None:
        self.resources = resources
        self.inbound = inbound
        self.running: set[asyncio.Task[object]] = set()
        self.more = asyncio.Event()
        self.alive = False  # while ``run`` loops: the cron sweep then only wakes it
        self.wakes = 0  # wake-ups so far: an apply that saw one after its claim claims again
        self.backlog = False  # the last claim filled every free slot: more may be claimable

    def wake(self) -> None:
        """Claim now (the cron sweep's nudge; applying beside this loop would only contend with it)."""
        self.wakes += 1
        self.more.set()

    @property
    def refill(self) -> int:
        """Free slots a backlog waits for before it is claimed again."""
        return max(1, self.resources.settings.inbound_concurrency // 4)

    async def run(self, stop: asyncio.Event) -> None:
        """Claim and apply until ``stop``; then let the applies in flight finish (their lease)."""
        listener = asyncio.create_task(self._listen())
        stopping = asyncio.create_task(stop.wait())
        stopping.add_done_callback(lambda _: self.more.set())
        self.alive = True
        try:
            while not stop.is_set():
                self.more.clear()  # before claiming: a wake-up that comes meanwhile is kept
                await self._fill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.more.wait(), self.resources.settings.inbound_sweep_seconds)
        finally:
            self.alive = False
            listener.cancel()
            stopping.cancel()
            await asyncio.gather(listener, stopping, return_exceptions=True)
            if self.running:
                await asyncio.wait(self.running, timeout=self.resources.settings.inbound_lease_seconds)

    async def _fill(self) -> None:
        settings = self.resources.settings
        while (free := settings.inbound_concurrency - len(self.running)) > 0:
            if self.backlog and self.running and free < self.refill:
                return  # the applies that end next reach the refill and claim a batch
            seen = self.wakes
            try:
                rows = await claim(self.resources.clock.now(), settings.inbound_lease_seconds, free)
            except Exception as error:
                log.warning("inbound claim failed (%s: %s); trying again", type(error).__name__, error)
                return
            self.backlog = len(rows) == free
            for row in rows:
                task = asyncio.create_task(apply_claimed(self.resources, self.inbound, row))
                self.running.add(task)
                task.add_done_callback(functools.partial(self._ended, row, seen))
            if len(rows) < free:
                return

    def _ended(self, row: Claimed, seen: int, task: asyncio.Task[object]) -> None:
        self.running.discard(task)
        # A backlog is claimed once enough slots are free (``_fill`` waits for the refill); else
        # nothing else was claimable at the claim, so only the sender's next event can be now.
        if self.backlog or row.has_next or self.wakes != seen:
            self.more.set()

    async def _listen(self) -> None:
        delay = 0.2
        while True:
            pubsub = self.resources.redis.pubsub()
            try:
                await pubsub.subscribe(WAKE_CHANNEL)
                delay = 0.2
                self.wake()  # (re)subscribed: claim what came while not listening
                while True:
                    if await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0) is not None:
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("inbound wake-ups lost (%s: %s); listening again", type(error).__name__, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_CAP)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
