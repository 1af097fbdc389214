"""Keeping a worker running: through Redis outages, and to a graceful stop.

arq's ``Worker.main`` ends with ``ConnectionError`` once Redis is gone for longer than the client's
own retries (``bot.runtime.redis_clients``); the worker object itself (its jobs in flight, its
counters) survives. So the supervisor waits for Redis with back-off, logs the loss and the
recovery once each, and starts the loop again, which resumes the queue and the cron. If Redis is
not back within ``worker_redis_outage_seconds`` it gives up with exit status 1, so systemd or the
container runtime restarts the process rather than leaving a live process that does nothing.

A stop (SIGTERM, Ctrl-C) takes no new job, lets the deliveries in flight finish for up to
``worker_grace_seconds``, then cancels what is left (arq runs a cancelled job again; the delivery
claim makes that harmless).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError

from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

LOST_REDIS = (RedisConnectionError, RedisTimeoutError, OSError)
EXIT_REDIS_LOST = 1


def _lost_redis(error: BaseException) -> bool:
    # redis-py turns a connection lost while WATCHing (arq's start_jobs) into a WatchError raised
    # while handling the ConnectionError: that is Redis going away too, not a conflict.
    if isinstance(error, WatchError):
        return isinstance(error.__cause__ or error.__context__, LOST_REDIS)
    return isinstance(error, LOST_REDIS)


async def _redis_answers(resources: Resources) -> bool:
    if resources.arq is None:
        return False
    try:
        return bool(await asyncio.wait_for(resources.arq.ping(), timeout=5))
    except (TimeoutError, *LOST_REDIS):
        return False


async def wait_for_redis(resources: Resources, stop: asyncio.Event, bound: float) -> bool:
    """Ping with back-off (0.2 s doubling to 5 s) until Redis answers (True) or ``bound`` seconds
    pass or a stop is asked for (False)."""
    deadline = time.monotonic() + bound
    delay = 0.2
    while not stop.is_set():
        if await _redis_answers(resources):
            return True
        if time.monotonic() >= deadline:
            return False
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(delay, max(deadline - time.monotonic(), 0.01)))
        delay = min(delay * 2, 5.0)
    return False


async def drain(worker: Worker, loop: asyncio.Task[None], grace: float) -> None:
    """Take no new job, give the running ones ``grace`` seconds, cancel the rest."""
    worker.allow_pick_jobs = False
    # The poll loop goes first: a poll under way could otherwise start a job after the snapshot
    # below, and that job would run on while the process closes its database.
    await _cancel(loop)
    running = [task for task in worker.tasks.values() if not task.done()]
    if running:
        log.info("stopping: waiting up to %.0fs for %d deliveries in flight", grace, len(running))
        _, late = await asyncio.wait(running, timeout=grace)
        for task in late:
            task.cancel()
        if late:
            log.warning("stopping: %d jobs cut short after %.0fs; arq runs them again", len(late), grace)
        await asyncio.gather(*running, return_exceptions=True)


async def supervise(resources: Resources, worker: Worker, stop: asyncio.Event) -> int:
    """Run ``worker`` until ``stop`` is set (0) or Redis stays lost past its bound (1)."""
    settings = resources.settings
    stopping = asyncio.create_task(stop.wait())
    try:
        while True:
            loop = asyncio.create_task(worker.main())
            await asyncio.wait({loop, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                await drain(worker, loop, settings.worker_grace_seconds)
                return 0
            error = loop.exception()
            if error is None:  # a burst worker that ran out of work
                return 0
            if not _lost_redis(error):
                raise error
            if await _redis_answers(resources):
                log.debug("worker loop ended by %r with Redis up; starting it again", error)
                continue
            if not await _outage(resources, stop, error):
                return EXIT_REDIS_LOST
    finally:
        stopping.cancel()


async def _outage(resources: Resources, stop: asyncio.Event, error: BaseException) -> bool:
    """Wait out a Redis outage; False when the bound passed (a stop asked for meanwhile is True)."""
    bound = resources.settings.worker_redis_outage_seconds
    lost_at = time.monotonic()
    log.error("worker lost Redis (%s); reconnecting for up to %.0fs", error, bound)
    if await wait_for_redis(resources, stop, bound):
        log.warning(
            "worker reconnected to Redis after %.1fs; queue and cron resumed", time.monotonic() - lost_at
        )
        return True
    if stop.is_set():
        return True
    log.critical("Redis unreachable for %.0fs: the worker exits (status 1) to be restarted", bound)
    return False


async def _cancel(task: asyncio.Task[None]) -> None:
    with contextlib.suppress(*LOST_REDIS):
        await cancel_until_done(task)


async def cancel_until_done(task: asyncio.Task[Any], every: float = 1.0) -> None:
    """Cancel ``task`` and wait for its end, cancelling again every ``every`` seconds.

    One ``cancel()`` is not always enough for arq's poll loop: on Python 3.11 a cancellation that
    lands as an inner ``asyncio.timeout`` (redis-py's socket timeout) expires is turned into a
    ``TimeoutError``, which redis-py retries, and the loop polls on for ever (seen in the fault
    test of a worker stopped mid-delivery: the stop hung in ``Worker.main``'s ``poll``).
    """
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=every)
    if not task.cancelled() and task.exception() is not None:
        raise task.exception()  # type: ignore[misc]
