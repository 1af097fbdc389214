"""Start and stop the process's resources: database, Redis (embedded if none is configured),
HTTP client, arq pool and messengers. Used by the web app's cleanup_ctx, the worker and the CLI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from bot.clock import Clock
from bot.runtime.db import database
from bot.runtime.redis_clients import app_redis, arq_redis
from bot.runtime.redis_server import redis_url
from bot.runtime.resources import Resources
from bot.settings import Settings


@asynccontextmanager
async def running_resources(settings: Settings, clock: Clock) -> AsyncIterator[Resources]:
    """Everything a process needs, opened in order and closed in reverse."""
    async with redis_url(settings.redis_url, settings.data_dir) as url, database(settings):
        redis = app_redis(url)
        arq = arq_redis(url)  # a bytes pool of its own: see bot.runtime.redis_clients
        try:
            async with aiohttp.ClientSession() as http:
                resources = Resources(settings=settings, clock=clock, redis=redis, http=http, arq=arq)
                from bot.messengers.registry import build_messengers

                resources.messengers = build_messengers(resources)
                yield resources
        finally:
            await arq.aclose()
            await redis.aclose()
