"""Heartbeats: each worker says every few seconds that it is alive, in a Redis key that expires.

``/readyz`` and `tiji doctor` count the workers whose key is still there and fresh. The key expires
after ``heartbeat_stale_seconds``, so a worker that was killed, hangs or lost Redis disappears on its
own. Times are the system's (``time.time``), never the simulator's clock: a worker's liveness does
not move when the simulated date is advanced.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

WORKER_PREFIX = "tiji:heartbeat:worker:"
PASSES_KEY = "tiji:heartbeat:passes"  # when the scheduled passes (reminders, digests) last finished


@dataclass(frozen=True)
class Beat:
    """One worker's last word: who it is and when (seconds since the epoch)."""

    worker: str
    at: float


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def beat(redis: Redis, name: str, stale_after: float) -> None:
    """Record that worker ``name`` is alive now; the record vanishes ``stale_after`` seconds later."""
    record = json.dumps({"at": time.time()})
    await redis.set(WORKER_PREFIX + name, record, ex=max(1, int(stale_after)))


async def workers_alive(redis: Redis, stale_after: float) -> list[Beat]:
    """The workers that beat within ``stale_after`` seconds, freshest first."""
    now = time.time()
    beats: list[Beat] = []
    async for key in redis.scan_iter(match=WORKER_PREFIX + "*", count=100):
        raw = await redis.get(key)
        if raw is None:
            continue
        at = float(json.loads(raw).get("at", 0))
        if now - at <= stale_after:
            beats.append(Beat(worker=key.removeprefix(WORKER_PREFIX), at=at))
    return sorted(beats, key=lambda b: -b.at)


async def passes_ran(redis: Redis) -> None:
    """Record that the scheduled passes just finished (the reminder lag is measured from here)."""
    await redis.set(PASSES_KEY, str(time.time()))


async def passes_age(redis: Redis) -> float | None:
    """Seconds since the scheduled passes last finished, or None if they never did."""
    raw = await redis.get(PASSES_KEY)
    return None if raw is None else max(0.0, time.time() - float(raw))


async def keep_beating(resources: Resources, name: str) -> None:
    """Beat every ``heartbeat_seconds`` until cancelled; a failed beat (Redis away) is logged once
    per outage and retried, so the worker reappears as soon as Redis is back."""
    settings = resources.settings
    failing = False
    try:
        while True:
            try:
                await beat(resources.redis, name, settings.heartbeat_stale_seconds)
                if failing:
                    log.info("worker heartbeat recorded again")
                failing = False
            except Exception as error:
                if not failing:
                    log.warning("worker heartbeat could not be recorded: %s", error)
                failing = True
            await asyncio.sleep(settings.heartbeat_seconds)
    except asyncio.CancelledError:
        # A worker that stops says so at once; one that was killed disappears when its key expires.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(resources.redis.delete(WORKER_PREFIX + name), 2)
        raise


async def start_heartbeat(ctx: dict[str, Any]) -> None:
    """arq ``on_startup``: beat for as long as the worker's main task runs.

    arq awaits this inside its main task, so the heartbeat is tied to it: when the main task ends
    (stop, crash, cancellation) the heartbeat stops, and the worker vanishes from ``/readyz``."""
    resources: Resources = ctx["resources"]
    task = asyncio.create_task(keep_beating(resources, worker_name()))
    ctx["heartbeat"] = task
    main = asyncio.current_task()
    if main is not None:
        main.add_done_callback(lambda _: task.cancel())
