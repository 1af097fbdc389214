"""HTTP mode's replay cache: one signed header pair goes with one body.

DingTalk's HTTP signatures cover only the timestamp (robot: ``HMAC(secret, "ts\\nsecret")``; card:
``HMAC(apiSecret, ts)``), not the body. Someone who captured one request's headers could send them
again with a body of their own for as long as the timestamp is accepted (an hour either side). So
the first request with a header pair records the hash of its body under that pair (``SET NX``, for
the whole window the pair could be accepted in); a later request with the same pair is accepted
only with the same body — DingTalk's own retry of that request, which the inbox then ignores.

The price: two genuine requests signed in the same millisecond share a header pair, and the second
is refused (DingTalk retries it with a fresh timestamp). Stream mode has no such weakness and stays
the default (`tiji check-config` warns about HTTP mode).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum

from redis.asyncio import Redis

from bot.messengers.dingtalk.signing import MAX_SKEW

PREFIX = "tiji:dingtalk:signed:"
# A timestamp is accepted from an hour before it to an hour after: the pair must be remembered for
# the whole span in which it could be presented.
WINDOW_SECONDS = int(2 * MAX_SKEW.total_seconds())


class SignedUse(StrEnum):
    FIRST = "first"  # never seen: accept
    RETRY = "retry"  # seen with the same body: DingTalk's retry, accept (the inbox dedupes it)
    REPLAY = "replay"  # seen with another body: refuse


def _digest(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


async def use_signature(redis: Redis, route: str, timestamp: str, signature: str, body: bytes) -> SignedUse:
    """Record that ``(timestamp, signature)`` on ``route`` came with ``body``; say whether it had
    been used before, and with which body."""
    key = PREFIX + _digest(route.encode(), timestamp.strip().encode(), signature.strip().encode())
    body_hash = _digest(body)
    if await redis.set(key, body_hash, nx=True, ex=WINDOW_SECONDS):
        return SignedUse.FIRST
    return SignedUse.RETRY if await redis.get(key) == body_hash else SignedUse.REPLAY
