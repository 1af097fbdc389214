"""Fixtures for the DingTalk adapter: the fake DingTalk, settings pointing at it, a recording router."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.clock import SimClock
from bot.events import Event, Reply
from bot.runtime.resources import Resources
from bot.settings import Settings
from tests.fakes.dingtalk_openapi import (
    CLIENT_ID,
    CLIENT_SECRET,
    TEMPLATE_ID,
    FakeDingTalk,
    running_fake_dingtalk,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDingTalk]:
    async with running_fake_dingtalk() as running:
        yield running


def dingtalk_settings(settings: Settings, fake: FakeDingTalk, **extra: object) -> Settings:
    return settings.model_copy(
        update={
            "simulator": False,
            "dingtalk_client_id": CLIENT_ID,
            "dingtalk_client_secret": CLIENT_SECRET,
            "dingtalk_robot_code": CLIENT_ID,
            "dingtalk_card_template_id": TEMPLATE_ID,
            "dingtalk_api_base": fake.base_url,
            "dingtalk_oapi_base": fake.base_url,
            **extra,
        }
    )


@pytest.fixture
def plain_settings(tmp_path: Path, redis_server_url: str) -> Settings:
    """Settings for tests that need no database (not parametrized over databases)."""
    return Settings(_env_file=None, data_dir=tmp_path / "var", redis_url=redis_server_url)  # type: ignore[call-arg]


@pytest.fixture
async def dt_resources(
    plain_settings: Settings, clock: SimClock, redis: Redis, fake: FakeDingTalk
) -> AsyncIterator[Resources]:
    """Resources without a database (for the parts that need none)."""
    async with aiohttp.ClientSession() as http:
        yield Resources(settings=dingtalk_settings(plain_settings, fake), clock=clock, redis=redis, http=http)


@dataclass
class RecordingRouter:
    """Stands in for handlers.router.Router: records events, answers ok (optionally slowly)."""

    events: list[Event] = field(default_factory=list)
    delay: float = 0.0
    fail: bool = False

    async def handle(self, event: Event) -> Reply:
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("database down")
        self.events.append(event)
        return Reply(ok=True, message="好的")


@pytest.fixture
def router() -> RecordingRouter:
    return RecordingRouter()
