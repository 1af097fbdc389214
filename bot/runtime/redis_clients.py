"""The two Redis clients of a process, on one server: the app's (text) and arq's (bytes).

The app's client has ``decode_responses=True``: every value the product keeps in Redis is text
(tokens, counters, JSON, marks), so callers get ``str`` and never decode.

arq gets a pool of its own without decoding. arq 0.28 calls ``.decode()`` on the job ids and result
keys it reads back (``Worker.start_jobs``, ``ArqRedis.queued_jobs``, ``ArqRedis.all_job_results``),
which fails on ``str``; it has no option for a decoding pool (python-arq/arq#505). Its job payloads are our JSON
(never pickle) as bytes.

Both survive a Redis restart: a command that meets a dropped connection is retried with
exponential back-off (a few seconds in all), idle connections are checked before use
(``health_check_interval``) so a socket left in CLOSE-WAIT by a restarted server is replaced, and
sockets time out instead of hanging. An outage longer than the retries surfaces as
``ConnectionError`` to the caller (the worker's supervisor, ``bot.jobs.worker``, decides then).
"""

from __future__ import annotations

import json
from typing import Any

from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

HEALTH_CHECK_SECONDS = 10
RETRIES = 3  # 0.1 + 0.2 + 0.4 s: a blip is ridden out here, an outage goes to the caller
SOCKET_TIMEOUT = 10.0


def resilient_options(health_check_seconds: int = HEALTH_CHECK_SECONDS) -> dict[str, Any]:
    """Connection options for every client: retry with back-off, health checks, socket timeouts."""
    return {
        "retry": Retry(ExponentialBackoff(cap=1.0, base=0.1), RETRIES),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError, OSError],
        "health_check_interval": health_check_seconds,
        "socket_timeout": SOCKET_TIMEOUT,
        "socket_connect_timeout": 5.0,
    }


def json_serializer(value: dict[str, Any]) -> bytes:
    """arq jobs are JSON, never pickle: anyone who can write Redis must not run code here."""
    return json.dumps(value, default=str).encode()


def json_deserializer(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data


def app_redis(url: str, health_check_seconds: int = HEALTH_CHECK_SECONDS) -> Redis:
    """The client behind ``Resources.redis``: replies decoded as UTF-8 ``str``."""
    client: Redis = Redis.from_url(url, decode_responses=True, **resilient_options(health_check_seconds))
    return client


def arq_redis(url: str, health_check_seconds: int = HEALTH_CHECK_SECONDS) -> ArqRedis:
    """arq's own pool (``Resources.arq``): raw bytes replies, JSON job payloads."""
    client = ArqRedis(
        ConnectionPool.from_url(url, **resilient_options(health_check_seconds)),
        job_serializer=json_serializer,
        job_deserializer=json_deserializer,
    )
    # A client given a pool leaves it open on aclose(); this pool is the client's alone, so let
    # aclose() disconnect it (what Redis.from_pool does, which cannot pass arq's serializers).
    client.auto_close_connection_pool = True
    return client
