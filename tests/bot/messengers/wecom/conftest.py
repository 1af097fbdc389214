"""Fixtures of the WeCom tests: the fake WeCom API, settings pointing at it, the callback signer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.clock import SimClock
from bot.messengers.wecom import build_messenger
from bot.messengers.wecom.messenger import WeComMessenger
from bot.runtime.resources import Resources
from bot.settings import Settings
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner

TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "ww0123456789abcdef"
AGENT_ID = 1000002


def wecom_fields(fake: FakeWeCom) -> dict[str, object]:
    return {
        "simulator": False,
        "wecom_corp_id": fake.corp_id,
        "wecom_agent_id": fake.agent_id,
        "wecom_secret": fake.secret,
        "wecom_contacts_secret": fake.contacts_secret,
        "wecom_token": TOKEN,
        "wecom_aes_key": AES_KEY,
        "wecom_api_base": fake.base_url,
    }


@pytest.fixture
async def fake(clock: SimClock) -> AsyncIterator[FakeWeCom]:
    api = FakeWeCom(corp_id=CORP_ID, agent_id=AGENT_ID, now=lambda: clock.now().timestamp())
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture
def signer() -> WeComSigner:
    return WeComSigner(token=TOKEN, aes_key=AES_KEY, receive_id=CORP_ID)


@pytest.fixture
def plain_settings(tmp_path: Path, redis_server_url: str, fake: FakeWeCom) -> Settings:
    """WeCom settings for tests that need no database."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "var",
        redis_url=redis_server_url,
        **wecom_fields(fake),  # type: ignore[arg-type]
    )


@pytest.fixture
async def plain_resources(
    plain_settings: Settings, clock: SimClock, redis: Redis
) -> AsyncIterator[Resources]:
    async with aiohttp.ClientSession() as http:
        yield Resources(settings=plain_settings, clock=clock, redis=redis, http=http)


@pytest.fixture
def messenger(plain_resources: Resources) -> WeComMessenger:
    return build_messenger(plain_resources)
