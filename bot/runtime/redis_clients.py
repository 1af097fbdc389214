"""The two Redis clients of a process, on one server: the app's (text) and arq's (bytes).

The app's client has ``decode_responses=True``: every value the product keeps in Redis is text
(tokens, counters, JSON, marks), so callers get ``str`` and never decode.

arq gets a pool of its own without decoding. arq 0.28 calls ``.decode()`` on the job ids and result
keys it reads back (``Worker.start_jobs``, ``ArqRedis.queued_jobs``, ``ArqRedis.all_job_results``),
which fails on ``str``; it has no option for a decoding pool (python-arq/arq#505). Its job payloads are our JSON
(never pickle) as bytes.
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool, Redis


def json_serializer(value: dict[str, Any]) -> bytes:
    """arq jobs are JSON, never pickle: anyone who can write Redis must not run code here."""
    return json.dumps(value, default=str).encode()


def json_deserializer(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data


def app_redis(url: str) -> Redis:
    """The client behind ``Resources.redis``: replies decoded as UTF-8 ``str``."""
    client: Redis = Redis.from_url(url, decode_responses=True)
    return client


def arq_redis(url: str) -> ArqRedis:
    """arq's own pool (``Resources.arq``): raw bytes replies, JSON job payloads."""
    client = ArqRedis(
        ConnectionPool.from_url(url),
        job_serializer=json_serializer,
        job_deserializer=json_deserializer,
    )
    # A client given a pool leaves it open on aclose(); this pool is the client's alone, so let
    # aclose() disconnect it (what Redis.from_pool does, which cannot pass arq's serializers).
    client.auto_close_connection_pool = True
    return client
