"""``bot.inbound.waker``: a burst of stored events wakes the workers without a publish per event,
and an event stored after a wake-up went out is never left without one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.inbound.accept import WAKE_CHANNEL
from bot.inbound.waker import Waker
from bot.runtime.resources import Resources


@pytest.fixture
async def heard(resources: Resources) -> AsyncIterator[asyncio.Queue[object]]:
    """The wake-ups a worker subscribed to the channel receives, as they arrive."""
    received: asyncio.Queue[object] = asyncio.Queue()
    pubsub = resources.redis.pubsub()
    await pubsub.subscribe(WAKE_CHANNEL)

    async def listen() -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is not None:
                received.put_nowait(message["data"])

    listening = asyncio.create_task(listen())
    try:
        yield received
    finally:
        listening.cancel()
        await asyncio.gather(listening, return_exceptions=True)
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def until_heard(received: asyncio.Queue[object], n: int) -> None:
    async with asyncio.timeout(5):
        for _ in range(n):
            await received.get()


async def test_a_burst_of_stored_events_wakes_the_workers_once_or_twice(
    resources: Resources, heard: asyncio.Queue[object]
) -> None:
    waker = Waker()
    for _ in range(50):  # fifty callbacks stored before the first wake-up goes out: it covers them
        waker.nudge(resources.redis)
    await asyncio.sleep(0)  # the wake-up is being sent now
    for _ in range(50):  # fifty more stored meanwhile
        waker.nudge(resources.redis)
    await waker.drain()
    assert waker.sent == 2  # the first, and one owed for the events stored while it was in flight
    await until_heard(heard, 2)


async def test_an_event_stored_after_a_wake_up_went_out_gets_its_own(
    resources: Resources, heard: asyncio.Queue[object]
) -> None:
    waker = Waker()
    waker.nudge(resources.redis)
    await waker.drain()
    await until_heard(heard, 1)
    waker.nudge(resources.redis)  # nothing in flight now: this one is sent at once
    await waker.drain()
    assert waker.sent == 2
    await until_heard(heard, 1)  # its own


async def test_a_redis_that_is_away_loses_only_the_wake_up(resources: Resources) -> None:
    away = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    waker = Waker()
    try:
        waker.nudge(away)
        await waker.drain()  # the failure is logged, not raised: the sweep applies the event
    finally:
        await away.aclose()
    assert waker.sending is None and waker.sent == 1
