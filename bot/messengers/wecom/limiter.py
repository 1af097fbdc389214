"""Sliding-window send limiter in Redis, shared by every process.

WeCom drops, without any error, app messages beyond 30 per minute or 1000 per hour to one member,
and a group robot takes at most 20 messages a minute. So a slot is taken before each send; when
none is free the caller learns how long to wait and the delivery is retried after that.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

# KEYS: one sorted set per window, then (optional) a "sent already" marker. ARGV: now_ms, member,
# then limit and window_ms per window. -1: the marker exists (nothing taken).
_ACQUIRE = """
local now = tonumber(ARGV[1])
local windows = (#ARGV - 2) / 2
if #KEYS > windows and redis.call('exists', KEYS[#KEYS]) == 1 then return -1 end
local wait = 0
for i = 1, windows do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  redis.call('zremrangebyscore', KEYS[i], '-inf', now - window)
  if redis.call('zcard', KEYS[i]) >= limit then
    local oldest = redis.call('zrange', KEYS[i], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return wait end
for i = 1, windows do
  redis.call('zadd', KEYS[i], now, ARGV[2])
  redis.call('pexpire', KEYS[i], tonumber(ARGV[2 + 2 * i]))
end
return 0
"""


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    seconds: int


APP_MEMBER_WINDOWS = (Window(30, 60), Window(1000, 3600))
ROBOT_WINDOWS = (Window(20, 60),)

# A slot is taken when a send starts, but WeCom counts arrivals: two sends a window apart can land
# closer than that (one slow, one fast request). Each window is held this much longer so the
# arrivals stay inside the platform's limit too.
ARRIVAL_MARGIN_MS = 2000


class RateLimiter:
    """``acquire(subject)`` takes a slot in every window, or says how long until one frees up."""

    def __init__(self, redis: Redis, prefix: str, windows: tuple[Window, ...]) -> None:
        self.redis = redis
        self.prefix = prefix
        self.windows = windows

    def _keys(self, subject: str) -> list[str]:
        digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
        return [f"wecom:rl:{self.prefix}:{w.seconds}:{digest}" for w in self.windows]

    async def acquire(self, subject: str, now: float) -> float:
        """0 when a slot was taken (``now`` in epoch seconds), else the seconds to wait."""
        wait = await self.acquire_unless(subject, now, None)
        return 0.0 if wait is None else wait  # None only with a marker, and there is none

    async def acquire_unless(self, subject: str, now: float, marker: str | None) -> float | None:
        """``acquire``, but None (and no slot taken) when the Redis key ``marker`` exists: a send
        that an earlier attempt already made. One round trip for both, which a delivery makes for
        every message."""
        args: list[str] = [str(int(now * 1000)), f"{int(now * 1000)}-{secrets.token_hex(6)}"]
        for w in self.windows:
            args += [str(w.limit), str(w.seconds * 1000 + ARRIVAL_MARGIN_MS)]
        keys = self._keys(subject) + ([marker] if marker else [])
        wait_ms = int(await self.redis.eval(_ACQUIRE, len(keys), *keys, *args))  # type: ignore[misc]
        return None if wait_ms < 0 else max(0.0, wait_ms / 1000)
