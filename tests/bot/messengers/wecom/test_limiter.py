"""The per-member limiter's one round trip: a slot, or the wait, or "this part went out already"."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.messengers.wecom.limiter import RateLimiter, Window


async def test_a_part_already_sent_takes_no_slot(redis: Redis) -> None:
    limiter = RateLimiter(redis, "member", (Window(2, 60),))
    await redis.set("wecom:sent:k:0", "1")
    assert await limiter.acquire_unless("zhangwei", 1000.0, "wecom:sent:k:0") is None
    assert await limiter.acquire_unless("zhangwei", 1000.0, "wecom:sent:k:1") == 0
    assert await limiter.acquire("zhangwei", 1000.5) == 0
    # Two slots were taken (not three): the third send waits for the first to leave the window.
    wait = await limiter.acquire_unless("zhangwei", 1001.0, "wecom:sent:k:2")
    assert wait is not None and 59 < wait <= 62
