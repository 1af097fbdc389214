"""The worker outlives a Redis restart (reconnects, resumes the queue, logs loss and recovery once),
gives up with status 1 when Redis stays away past its bound, and stops gracefully on a stop."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import aiohttp
import pytest
from tortoise.transactions import in_transaction

from bot.cards import Card
from bot.clock import SimClock
from bot.jobs.supervisor import supervise
from bot.jobs.worker import build_worker
from bot.outbound import Attachment, CardDelivery, GroupTarget, Recipient
from bot.outbox.batch import OutboxBatch
from bot.runtime.redis_clients import app_redis, arq_redis
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.enums import Platform
from models.messaging import OutboxMessage, OutboxStatus
from models.org import Organisation, Person
from tests.support.restartable_redis import RestartableRedis, restartable_redis

pytestmark = pytest.mark.timeout(180)  # a Redis outage and its recovery, twice per database


@dataclass
class SlowTexts:
    """A simulator-platform messenger that records texts, each taking ``delay`` seconds."""

    platform: Platform = Platform.SIMULATOR
    delay: float = 0.0
    texts: list[str] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        self.started.set()
        await asyncio.sleep(self.delay)
        self.texts.append(text)

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        raise NotImplementedError

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        raise NotImplementedError

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        raise NotImplementedError

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        return False


@pytest.fixture
async def server() -> AsyncIterator[RestartableRedis]:
    async with restartable_redis() as s:
        yield s


@pytest.fixture
async def own(
    settings: Settings, clock: SimClock, db: None, server: RestartableRedis
) -> AsyncIterator[Resources]:
    """Resources on the test's own Redis, with a short outage bound and grace period."""
    settings = settings.model_copy(
        update={"redis_url": server.url, "worker_redis_outage_seconds": 30.0, "worker_grace_seconds": 10.0}
    )
    redis, arq = app_redis(server.url, 1), arq_redis(server.url, 1)
    async with aiohttp.ClientSession() as http:
        resources = Resources(settings=settings, clock=clock, redis=redis, http=http, arq=arq)
        resources.messengers = {Platform.SIMULATOR: SlowTexts()}  # type: ignore[dict-item]
        try:
            yield resources
        finally:
            await arq.aclose()
            await redis.aclose()


async def say(resources: Resources, text: str) -> OutboxMessage:
    organisation = await Organisation.get_or_none(code="t") or await Organisation.create(
        code="t", name="测试局"
    )
    person = await Person.get_or_none(handle="zhang") or await Person.create(
        organisation=organisation, handle="zhang", name="张三", roles=["staff"]
    )
    batch = OutboxBatch(resources.settings, organisation, resources.clock.now())
    async with in_transaction():
        await batch.text(person, text, dedupe_key=f"t:{text}")
    await batch.nudge(resources)
    return await OutboxMessage.get(dedupe_key=f"t:{text}")


async def until(predicate: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    async with asyncio.timeout(within):
        while not await predicate():  # noqa: ASYNC110 (the DB and the log are the signal)
            await asyncio.sleep(0.05)


def sent(row: OutboxMessage) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (await OutboxMessage.get(id=row.id)).status is OutboxStatus.SENT

    return check


async def test_the_worker_reconnects_after_a_redis_restart_and_delivers_again(
    own: Resources, server: RestartableRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.jobs.supervisor")
    stop = asyncio.Event()
    running = asyncio.create_task(supervise(own, build_worker(own, with_cron=False), stop))
    await until(sent(await say(own, "重启前")))

    await server.kill()

    async def loss_logged() -> bool:
        return any("lost Redis" in r.getMessage() for r in caplog.records)

    await until(loss_logged)
    await server.start()
    row = await say(own, "重启后")  # written while the worker may still be reconnecting
    if not await OutboxMessage.filter(id=row.id, status=OutboxStatus.SENT).exists():
        await own.arq.enqueue_job("deliver", row.id, _job_id=f"deliver:{row.id}:0")  # type: ignore[union-attr]
    await until(sent(row))
    stop.set()
    assert await running == 0
    messages = [r.getMessage() for r in caplog.records]
    assert sum("lost Redis" in m for m in messages) == 1
    assert sum("reconnected to Redis" in m for m in messages) == 1
    assert own.messengers[Platform.SIMULATOR].texts == ["重启前", "重启后"]  # type: ignore[attr-defined]


async def test_the_worker_exits_with_status_1_when_redis_stays_away(
    own: Resources, server: RestartableRedis
) -> None:
    own.settings = own.settings.model_copy(update={"worker_redis_outage_seconds": 1.0})
    stop = asyncio.Event()
    running = asyncio.create_task(supervise(own, build_worker(own, with_cron=False), stop))
    await until(sent(await say(own, "在线")))
    await server.kill()
    assert await asyncio.wait_for(running, 60) == 1


async def test_a_stop_lets_the_delivery_in_flight_finish(own: Resources) -> None:
    messenger: SlowTexts = own.messengers[Platform.SIMULATOR]  # type: ignore[assignment]
    messenger.delay = 1.0
    stop = asyncio.Event()
    running = asyncio.create_task(supervise(own, build_worker(own, with_cron=False), stop))
    row = await say(own, "慢消息")
    await asyncio.wait_for(messenger.started.wait(), 20)
    stop.set()  # SIGTERM mid-delivery
    assert await asyncio.wait_for(running, 20) == 0
    assert messenger.texts == ["慢消息"]
    assert (await OutboxMessage.get(id=row.id)).status is OutboxStatus.SENT
