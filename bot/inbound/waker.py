"""The web's wake-ups for the workers, coalesced: at most one ``PUBLISH`` in flight per process.

Every stored event used to publish its own wake-up: one Redis command (a socket write and a read)
per callback, the largest cost of the request after its INSERT. A worker woken once claims every
event stored so far, so a wake-up asked for while one is being sent only needs one more after it:
at low traffic each event still wakes the workers at once, under load the publishes follow Redis's
round trip instead of the request rate.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from bot.inbound.accept import wake

log = logging.getLogger(__name__)


class Waker:
    """Sends the wake-ups of one web process (owned by its app; ``drain`` on shutdown)."""

    def __init__(self) -> None:
        self.sending: asyncio.Task[None] | None = None
        self.again = False  # an event was stored after the wake-up in flight was sent
        self.sent = 0  # publishes made (the tests read it)

    def nudge(self, redis: Redis) -> None:
        """An event was stored: wake the workers now, or right after the wake-up in flight."""
        if self.sending is not None:
            self.again = True
            return
        self.sending = asyncio.create_task(self._send(redis))

    async def _send(self, redis: Redis) -> None:
        try:
            while True:
                self.again = False
                self.sent += 1
                await wake(redis)  # logs and swallows its own failure: the sweep applies
                if not self.again:
                    return
        finally:
            self.sending = None

    async def drain(self) -> None:
        """Let the wake-up in flight (and the one owed after it) go out before the process ends
        (bound it with ``asyncio.timeout``: the sweep applies what a lost wake-up leaves)."""
        if self.sending is not None:
            log.info("waiting for the inbound wake-up still being sent")
            await asyncio.wait([self.sending])
