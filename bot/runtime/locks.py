"""The one cross-process lock: redis-py's ``Redis.lock()`` under a ``tiji:lock:`` key.

redis-py's lock stores a random owner token with ``SET NX PX`` and releases, extends and renews
through Lua scripts that first check the token. So a holder whose TTL ran out, and whose lock
another process then took, cannot release or extend the other's lock: it is told it lost it.

Use one ``RedisLock`` per holder (one per attempt at the guarded work): the owner token lives in
the instance, so two coroutines sharing an instance would share the ownership.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockError

log = logging.getLogger(__name__)

LOCK_PREFIX = "tiji:lock:"
POLL_SECONDS = 0.05  # between attempts while waiting for a lock another process holds


class RedisLock:
    """An exclusive lock on ``tiji:lock:<name>`` that expires ``ttl`` seconds after it was taken
    (or last renewed), so a crashed holder never blocks the others for longer than that."""

    def __init__(self, redis: Redis, name: str, *, ttl: float) -> None:
        self.key = LOCK_PREFIX + name
        self.ttl = ttl
        # thread_local=False: the token belongs to this object. In asyncio every task runs on one
        # thread, so thread-local storage would not separate holders anyway; one object per holder does.
        self._lock = redis.lock(self.key, timeout=ttl, sleep=POLL_SECONDS, thread_local=False)

    async def acquire(self, *, wait: float = 0.0) -> bool:
        """Take the lock, waiting up to ``wait`` seconds for its holder to let go; False if not taken."""
        if wait <= 0:
            return bool(await self._lock.acquire(blocking=False))
        return bool(await self._lock.acquire(blocking=True, blocking_timeout=wait))

    async def renew(self) -> bool:
        """Reset the TTL to the full ``ttl``; False if the lock is no longer ours (it expired)."""
        try:
            return await self._lock.reacquire()
        except LockError:  # LockNotOwnedError: expired, perhaps taken by another process
            return False

    async def extend(self, seconds: float) -> bool:
        """Add ``seconds`` to the remaining TTL; False if the lock is no longer ours."""
        try:
            return await self._lock.extend(seconds)
        except LockError:
            return False

    async def release(self) -> bool:
        """Let go if the lock is still ours; False (and nothing deleted) if it expired meanwhile."""
        try:
            await self._lock.release()
        except LockError:  # never held, or expired and maybe someone else's now: leave it alone
            return False
        return True

    async def owned(self) -> bool:
        """Whether this object holds the lock now."""
        return await self._lock.owned()


@asynccontextmanager
async def held(redis: Redis, name: str, *, ttl: float, wait: float = 0.0) -> AsyncIterator[bool]:
    """``async with held(redis, name, ttl=…, wait=…) as got:`` — ``got`` says whether the lock was
    taken; it is released on the way out (if it is still ours)."""
    lock = RedisLock(redis, name, ttl=ttl)
    got = await lock.acquire(wait=wait)
    try:
        yield got
    finally:
        if got and not await lock.release():
            log.warning("lock %s expired before its work finished (ttl %.1f s)", lock.key, ttl)
