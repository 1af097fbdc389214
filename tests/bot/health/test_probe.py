"""The container HEALTHCHECK (``python -m bot.health.probe``): 0 when the process's ``/readyz``
answers 200, 1 with the failed checks otherwise, 1 when nothing listens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from bot.clock import SimClock
from bot.health.probe import probe
from bot.runtime.redis_clients import app_redis
from bot.settings import Settings
from tests.bot.health.conftest import free_port
from tests.support.stack import Stack, running_stack


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        yield s


async def test_the_probe_passes_only_when_the_process_is_ready(
    stack: Stack, settings: Settings, lost_redis_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = urlsplit(await stack.serve()).port  # the web app and a running worker
    own = settings.model_copy(update={"port": port})
    await until_ready(own)

    redis, stack.resources.redis = stack.resources.redis, app_redis(lost_redis_url)
    try:
        assert await probe(own) == 1
    finally:
        await stack.resources.redis.aclose()
        stack.resources.redis = redis
    assert "未就绪：Redis：连不上 Redis" in capsys.readouterr().out


async def until_ready(settings: Settings) -> None:
    deadline = time.monotonic() + 10
    while await probe(settings) != 0:
        assert time.monotonic() < deadline, "never ready"
        await asyncio.sleep(0.05)


async def test_the_probe_fails_when_nothing_answers(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await probe(settings.model_copy(update={"metrics_port": free_port()})) == 1
    assert "没有应答" in capsys.readouterr().out
