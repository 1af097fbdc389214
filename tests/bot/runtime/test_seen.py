"""The "seen this event" mark: true the first time, false for duplicates, gone after its lifetime."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.runtime.seen import SEEN_TTL_SECONDS, forget_seen, seen_key, seen_once


async def test_an_event_is_new_once_then_seen(redis: Redis) -> None:
    assert await seen_once(redis, "wecom:msg:1")
    assert not await seen_once(redis, "wecom:msg:1")
    assert await seen_once(redis, "dingtalk:msg:1")  # another event
    assert seen_key("wecom:msg:1") == "tiji:seen:wecom:msg:1"
    assert 0 < await redis.ttl("tiji:seen:wecom:msg:1") <= SEEN_TTL_SECONDS


async def test_the_mark_expires(redis: Redis) -> None:
    assert await seen_once(redis, "wecom:msg:2", ttl=0.2)
    assert not await seen_once(redis, "wecom:msg:2", ttl=0.2)
    async with asyncio.timeout(5):
        while await redis.exists(seen_key("wecom:msg:2")):  # noqa: ASYNC110 (Redis expires it)
            await asyncio.sleep(0.02)
    assert await seen_once(redis, "wecom:msg:2")


async def test_a_forgotten_mark_lets_the_next_delivery_through(redis: Redis) -> None:
    assert await seen_once(redis, "dingtalk:card:r:u:escalate")
    await forget_seen(redis, "dingtalk:card:r:u:escalate")
    assert await seen_once(redis, "dingtalk:card:r:u:escalate")
