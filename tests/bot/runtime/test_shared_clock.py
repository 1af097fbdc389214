"""One simulated clock for every process: moving it in one (a web) moves it in the others (a
worker, another web), concurrent advances add up, and a process started later starts at it."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from redis.asyncio import Redis

from bot.clock import SimClock
from bot.runtime.redis_clients import app_redis
from bot.runtime.shared_clock import advance_now, set_now, shared_clock

SIM_NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs((a - b).total_seconds()) < 1


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(10):
        while not condition():  # noqa: ASYNC110 (the other process's clock is the signal)
            await asyncio.sleep(0.01)


async def test_a_clock_set_in_the_web_is_the_workers_clock(redis: Redis, redis_server_url: str) -> None:
    web, worker = SimClock(), SimClock()
    worker_redis = app_redis(redis_server_url)  # a process of its own: its own connections
    try:
        async with shared_clock(redis, web), shared_clock(worker_redis, worker):
            await set_now(redis, web, SIM_NOW)
            await until(lambda: close(worker.now(), SIM_NOW))
            await advance_now(redis, web, dt.timedelta(days=3))
            await until(lambda: close(worker.now(), SIM_NOW + dt.timedelta(days=3)))
    finally:
        await worker_redis.aclose()


async def test_two_webs_advancing_at_once_add_up(redis: Redis, redis_server_url: str) -> None:
    one, two = SimClock(), SimClock()
    other = app_redis(redis_server_url)
    try:
        async with shared_clock(redis, one), shared_clock(other, two):
            await set_now(redis, one, SIM_NOW)
            await asyncio.gather(
                advance_now(redis, one, dt.timedelta(hours=2)), advance_now(other, two, dt.timedelta(hours=5))
            )
            await until(lambda: close(one.now(), SIM_NOW + dt.timedelta(hours=7)))
            await until(lambda: close(two.now(), SIM_NOW + dt.timedelta(hours=7)))
    finally:
        await other.aclose()


async def test_a_process_started_later_starts_at_the_simulated_time(redis: Redis) -> None:
    await set_now(redis, SimClock(), SIM_NOW)
    late = SimClock()
    async with shared_clock(redis, late):
        assert close(late.now(), SIM_NOW)
