"""Marks in Redis that an event was seen, so a platform's re-delivery of it skips the database.

Correctness never depends on them: the router records every event's dedupe key in its inbox in
the same transaction as the change. The marks only save that work for duplicates (WeCom re-sends
a callback not answered within 5 s, DingTalk re-pushes unacked Stream frames and pushes to more
than one connection), and are forgotten when handling fails so a re-delivery can apply the event.

Callers pass the event's dedupe key, which starts with its platform (``wecom:msg:<MsgId>``,
``dingtalk:card:<outTrackId>:…``); the mark is ``tiji:seen:<that key>``, i.e.
``tiji:seen:<platform>:<event id>`` for every platform.
"""

from __future__ import annotations

from redis.asyncio import Redis

SEEN_PREFIX = "tiji:seen:"
# One lifetime for every platform: the longer of the two the adapters used to keep (WeCom 5 min,
# DingTalk 2 days). WeCom re-sends an unanswered callback within seconds, three times; DingTalk
# re-pushes unacked Stream frames and HTTP callbacks on its own schedule, and a late duplicate that
# misses the mark costs one inbox lookup, never a second change. The keys are tiny.
SEEN_TTL_SECONDS = 2 * 24 * 3600


def seen_key(key: str) -> str:
    """The Redis key of the mark for the event whose dedupe key is ``key``."""
    return SEEN_PREFIX + key


async def seen_once(redis: Redis, key: str, ttl: float = SEEN_TTL_SECONDS) -> bool:
    """Mark the event ``key`` as seen for ``ttl`` seconds; True only the first time (``SET NX PX``)."""
    return bool(await redis.set(seen_key(key), "1", nx=True, px=int(ttl * 1000)))


async def forget_seen(redis: Redis, key: str) -> None:
    """Drop the event ``key``'s mark (its handling failed), so the next delivery is applied."""
    await redis.delete(seen_key(key))
