"""One simulated clock for every process: the simulator's offset lives in Redis.

Webs, workers and the stream process each hold a ``SimClock`` (its ``now()`` must stay synchronous,
so it keeps the offset in memory). Setting or advancing the clock writes the offset to Redis
(``INCRBYFLOAT`` for an advance, so two webs advancing at once add up) and publishes it; every
process follows the channel and re-reads the key each second (a message lost while Redis restarted
is caught up), so ``tick``, reminders and delivery agree on "now" across processes. The key is the
one `tiji dev` has always kept, so a restarted process also starts at the simulated time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import Clock, SimClock

log = logging.getLogger(__name__)

OFFSET_KEY = "tiji:sim:clock_offset_seconds"
CHANNEL = "tiji:sim:clock"
REREAD_SECONDS = 1.0


async def load_offset(redis: Redis, clock: SimClock) -> None:
    """Take up the shared offset (none stored: the clock keeps its own)."""
    raw = await redis.get(OFFSET_KEY)
    if raw is not None:
        clock.offset = dt.timedelta(seconds=float(raw))


async def _publish(redis: Redis, clock: SimClock, seconds: float) -> dt.datetime:
    clock.offset = dt.timedelta(seconds=seconds)
    await redis.publish(CHANNEL, repr(seconds))
    return clock.now()


async def set_now(redis: Redis, clock: SimClock, when: dt.datetime) -> dt.datetime:
    """Make ``when`` the simulated now for every process."""
    if when.tzinfo is None:
        raise ValueError("time must carry a timezone offset")
    seconds = (when - dt.datetime.now(dt.UTC)).total_seconds()
    await redis.set(OFFSET_KEY, repr(seconds))
    return await _publish(redis, clock, seconds)


async def reset_now(redis: Redis, clock: SimClock) -> dt.datetime:
    """“回到现在”: every process follows the real time again."""
    await redis.set(OFFSET_KEY, repr(0.0))
    return await _publish(redis, clock, 0.0)


async def advance_now(redis: Redis, clock: SimClock, by: dt.timedelta) -> dt.datetime:
    """Move the simulated now on by ``by`` for every process."""
    if await redis.get(OFFSET_KEY) is None:  # first move: start from this process's offset
        await redis.set(OFFSET_KEY, repr(clock.offset.total_seconds()), nx=True)
    seconds = float(await redis.incrbyfloat(OFFSET_KEY, by.total_seconds()))
    return await _publish(redis, clock, seconds)


async def follow(redis: Redis, clock: SimClock) -> None:
    """Keep ``clock`` on the shared offset until cancelled (Redis outages are waited out)."""
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(CHANNEL)
            await load_offset(redis, clock)  # after subscribing: no change slips in between
            while True:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=REREAD_SECONDS)
                if message is not None:
                    clock.offset = dt.timedelta(seconds=float(message["data"]))
                else:
                    await load_offset(redis, clock)
        except (RedisConnectionError, RedisTimeoutError, OSError) as error:
            log.debug("clock follower lost Redis (%s); retrying", error)
            await asyncio.sleep(REREAD_SECONDS)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()  # type: ignore[no-untyped-call]


@contextlib.asynccontextmanager
async def shared_clock(redis: Redis, clock: Clock) -> AsyncIterator[None]:
    """While open, a ``SimClock`` follows the shared offset (a system clock needs nothing)."""
    if not isinstance(clock, SimClock):
        yield
        return
    await load_offset(redis, clock)
    task = asyncio.create_task(follow(redis, clock))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
