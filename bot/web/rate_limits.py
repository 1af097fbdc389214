"""Fixed-window rate limits in Redis for the public pages (per IP, per phone, per number)."""

from __future__ import annotations

from redis.asyncio import Redis


async def within_limit(redis: Redis, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit on ``key``; False once more than ``limit`` hits fell in the current window."""
    full_key = f"ratelimit:{key}"
    hits = await redis.incr(full_key)
    if hits == 1:
        await redis.expire(full_key, window_seconds)
    return int(hits) <= limit
