"""Start and stop the process's resources: database, Redis (embedded if none is configured),
HTTP client, arq pool and messengers. Used by the web app's cleanup_ctx, the worker and the CLI."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from arq.connections import ArqRedis
from redis.asyncio import ConnectionPool

from bot.clock import Clock
from bot.runtime.db import database
from bot.runtime.redis_server import redis_url
from bot.runtime.resources import MessengerFactory, Resources
from bot.settings import Settings


def json_serializer(value: dict[str, Any]) -> bytes:
    """arq jobs are JSON, never pickle: anyone who can write Redis must not run code here."""
    return json.dumps(value, default=str).encode()


def json_deserializer(raw: bytes) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(raw)
    return data


@asynccontextmanager
async def running_resources(
    settings: Settings, clock: Clock, messengers: MessengerFactory
) -> AsyncIterator[Resources]:
    """Everything a process needs, opened in order and closed in reverse. ``messengers`` builds the
    platform adapters (``bot.messengers.registry.build_messengers``; the runtime knows no platform)."""
    async with redis_url(settings.redis_url, settings.data_dir) as url, database(settings):
        redis = ArqRedis(
            ConnectionPool.from_url(url),
            job_serializer=json_serializer,
            job_deserializer=json_deserializer,
        )
        try:
            async with aiohttp.ClientSession() as http:
                resources = Resources(settings=settings, clock=clock, redis=redis, http=http, arq=redis)
                resources.messengers = messengers(resources)
                yield resources
        finally:
            await redis.aclose()
