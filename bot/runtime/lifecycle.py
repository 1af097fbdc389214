"""Start and stop the process's resources: database, Redis (embedded if none is configured),
HTTP client, arq pool and messengers. Used by the web app's cleanup_ctx, the worker and the CLI."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from bot.clock import Clock
from bot.runtime.db import database
from bot.runtime.redis_clients import app_redis, arq_redis
from bot.runtime.redis_server import redis_url
from bot.runtime.resources import MessengerFactory, Resources
from bot.runtime.shared_clock import shared_clock
from bot.settings import Settings


@asynccontextmanager
async def running_resources(
    settings: Settings, clock: Clock, messengers: MessengerFactory
) -> AsyncIterator[Resources]:
    """Everything a process needs, opened in order and closed in reverse. ``messengers`` builds the
    platform adapters (``bot.messengers.registry.build_messengers``; the runtime knows no platform)."""
    async with redis_url(settings.redis_url, settings.data_dir) as url, database(settings):
        redis = app_redis(url, settings.redis_health_check_seconds)
        arq = arq_redis(
            url, settings.redis_health_check_seconds
        )  # a bytes pool of its own: see bot.runtime.redis_clients
        try:
            async with aiohttp.ClientSession() as http, shared_clock(redis, clock):
                resources = Resources(settings=settings, clock=clock, redis=redis, http=http, arq=arq)
                resources.messengers = messengers(resources)
                yield resources
        finally:
            await arq.aclose()
            await redis.aclose()


def freeze_startup_objects() -> None:
    """Move everything alive after start-up (modules, models' metadata, the resources) out of the
    cyclic collector's reach, once per long-running process (`tiji worker`), after its
    resources are open. Those hundreds of thousands of objects live as long as the process, yet
    every full collection walked them again: a reminder pass creating thousands of rows triggers
    several, and they were a large share of its CPU. Garbage from the start-up is collected first."""
    gc.collect()
    gc.freeze()
