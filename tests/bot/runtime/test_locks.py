"""The cross-process lock on a real Redis: exclusive, released only by its owner, renewable."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.runtime.locks import LOCK_PREFIX, RedisLock, held
from bot.runtime.redis_clients import app_redis

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
async def other(redis: Redis, redis_server_url: str) -> AsyncIterator[Redis]:
    """A second client on the same server: another process, as far as Redis can tell."""
    client = app_redis(redis_server_url)
    try:
        yield client
    finally:
        await client.aclose()


async def expired(redis: Redis, key: str, within: float = 5.0) -> None:
    """Wait until Redis has expired ``key``."""
    async with asyncio.timeout(within):
        while await redis.exists(key):  # noqa: ASYNC110 (Redis expires it; nothing to wait on)
            await asyncio.sleep(0.02)


async def test_the_lock_is_exclusive_across_clients(redis: Redis, other: Redis) -> None:
    first, second = RedisLock(redis, "job", ttl=10), RedisLock(other, "job", ttl=10)
    assert first.key == f"{LOCK_PREFIX}job"
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.owned() and not await second.owned()
    assert await first.release()
    assert await redis.get(first.key) is None
    assert await second.acquire()
    assert not await first.acquire()


async def test_a_waiter_gets_the_lock_when_its_holder_lets_go(redis: Redis, other: Redis) -> None:
    holder, waiter = RedisLock(redis, "job", ttl=10), RedisLock(other, "job", ttl=10)
    assert await holder.acquire()
    waiting = asyncio.create_task(waiter.acquire(wait=5))
    await asyncio.sleep(0)  # the waiter makes its first attempt
    assert await holder.owned()
    assert await holder.release()
    assert await asyncio.wait_for(waiting, 5)
    assert await waiter.owned()


async def test_a_waiter_gives_up_after_its_wait(redis: Redis, other: Redis) -> None:
    assert await RedisLock(redis, "job", ttl=10).acquire()
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert not await RedisLock(other, "job", ttl=10).acquire(wait=0.3)
    assert loop.time() - started < 2


async def test_an_expired_lock_taken_by_another_is_not_released_by_the_first(
    redis: Redis, other: Redis
) -> None:
    first = RedisLock(redis, "job", ttl=0.2)
    assert await first.acquire()
    await expired(redis, first.key)  # the first holder was too slow
    second = RedisLock(other, "job", ttl=10)
    assert await second.acquire()
    assert not await first.release()  # told it lost the lock …
    assert not await first.renew()
    assert not await first.extend(5)
    assert await second.owned()  # … and the second's lock is untouched
    assert await redis.pttl(second.key) > 5000
    assert await second.release()


async def test_renew_and_extend_keep_the_lock_alive(redis: Redis) -> None:
    lock = RedisLock(redis, "job", ttl=2)
    assert await lock.acquire()
    assert await lock.extend(10)
    assert 10_000 < await redis.pttl(lock.key) <= 12_000
    assert await lock.renew()  # back to the full ttl
    assert 1_000 < await redis.pttl(lock.key) <= 2_000
    assert await lock.release()


async def test_a_released_lock_cannot_be_released_or_renewed_again(redis: Redis) -> None:
    lock = RedisLock(redis, "job", ttl=5)
    assert not await lock.release()  # never taken
    assert await lock.acquire()
    assert await lock.release()
    assert not await lock.release()
    assert not await lock.renew()


async def test_held_releases_on_the_way_out_even_on_errors(redis: Redis, other: Redis) -> None:
    async with held(redis, "job", ttl=10) as got:
        assert got
        async with held(other, "job", ttl=10) as also:
            assert not also
        assert await redis.exists(f"{LOCK_PREFIX}job")  # the loser did not release the winner's lock
    assert not await redis.exists(f"{LOCK_PREFIX}job")
    with pytest.raises(RuntimeError):
        async with held(redis, "job", ttl=10):
            raise RuntimeError("boom")
    assert not await redis.exists(f"{LOCK_PREFIX}job")


async def test_held_leaves_alone_a_lock_that_expired_and_changed_hands(redis: Redis, other: Redis) -> None:
    async with held(redis, "job", ttl=0.2) as got:
        assert got
        await expired(redis, f"{LOCK_PREFIX}job")
        thief = RedisLock(other, "job", ttl=10)
        assert await thief.acquire()
    assert await thief.owned()
