"""The delivery job: sends once, retries transient failures, shows permanent ones to the office."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from arq import Retry
from tortoise.transactions import in_transaction

from bot.cards import Card
from bot.outbound import Attachment, CardDelivery, DeliveryError, GroupTarget, Recipient
from bot.outbox.batch import OutboxBatch
from bot.outbox.delivery import deliver, sweep_outbox
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage
from models.org import GroupChannel, Organisation, Person


class RecordingMessenger:
    """A simulator-platform messenger that records sends, or fails as told."""

    platform = "simulator"

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []
        self.groups: list[tuple[str, str]] = []
        self.fail: DeliveryError | None = None
        self.delay = 0.0

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        await asyncio.sleep(self.delay)
        if self.fail:
            raise self.fail
        self.texts.append((to.user_id, text))

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        return CardDelivery()

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        return CardDelivery()

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        self.groups.append((group.name, markdown))

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        return True


@pytest.fixture
async def world(resources: Resources) -> dict[str, Any]:
    org = await Organisation.create(code="t", name="测试局")
    person = await Person.create(organisation=org, handle="zhang", name="张三", roles=["staff"])
    office = await GroupChannel.create(organisation=org, code="office", name="办公室群", kind="office")
    messenger = RecordingMessenger()
    resources.messengers = {"simulator": messenger}  # type: ignore[dict-item]
    return {"org": org, "person": person, "office": office, "messenger": messenger}


async def queue_text(resources: Resources, world: dict[str, Any], key: str) -> OutboxMessage:
    batch = OutboxBatch(resources.settings, world["org"], resources.clock.now())
    async with in_transaction():
        await batch.text(world["person"], "你好", dedupe_key=key)
        await batch.text(world["person"], "你好", dedupe_key=key)  # decided twice, stored once
    return await OutboxMessage.get(dedupe_key=key)


async def test_sends_once_even_when_the_job_runs_twice(resources: Resources, world: dict[str, Any]) -> None:
    row = await queue_text(resources, world, "k1")
    assert await OutboxMessage.filter(dedupe_key="k1").count() == 1
    world["messenger"].delay = 0.05
    ctx = {"resources": resources}
    results = await asyncio.gather(deliver(ctx, row.id), deliver(ctx, row.id))
    assert sorted(results) == ["not claimed", "sent"]
    assert world["messenger"].texts == [("zhang", "你好")]
    assert await deliver(ctx, row.id) == "skipped"
    assert (await OutboxMessage.get(id=row.id)).status == "sent"


async def test_transient_failure_retries_with_back_off(resources: Resources, world: dict[str, Any]) -> None:
    row = await queue_text(resources, world, "k2")
    world["messenger"].fail = DeliveryError("限流", transient=True, retry_after=30)
    with pytest.raises(Retry):
        await deliver({"resources": resources}, row.id)
    stored = await OutboxMessage.get(id=row.id)
    assert stored.status == "pending" and stored.attempts == 1 and stored.last_error == "限流"
    assert stored.next_attempt_at >= resources.clock.now() + dt.timedelta(seconds=29)
    assert await sweep_outbox(resources) == 0  # not due yet
    world["messenger"].fail = None
    assert await deliver({"resources": resources}, row.id) == "not claimed"  # not due yet
    resources.clock.advance(dt.timedelta(seconds=31))  # type: ignore[attr-defined]
    assert await deliver({"resources": resources}, row.id) == "sent"
    assert world["messenger"].texts == [("zhang", "你好")]


async def test_permanent_failure_is_shown_to_the_office(resources: Resources, world: dict[str, Any]) -> None:
    row = await queue_text(resources, world, "k3")
    world["messenger"].fail = DeliveryError("用户不存在", transient=False)
    assert await deliver({"resources": resources}, row.id) == "failed"
    assert (await OutboxMessage.get(id=row.id)).status == "failed"
    alert = await OutboxMessage.get(dedupe_key=f"alert:delivery_failed:{row.id}")
    world["messenger"].fail = None
    assert await deliver({"resources": resources}, alert.id) == "sent"
    ((group, text),) = world["messenger"].groups
    assert group == "办公室群" and "张三" in text and "用户不存在" in text


async def test_a_person_without_a_platform_account_fails_with_the_fix(
    resources: Resources, world: dict[str, Any]
) -> None:
    resources.settings = resources.settings.model_copy(update={"simulator": False})
    await Organisation.filter(id=world["org"].id).update(default_platform="wecom")
    world["org"].default_platform = "wecom"
    resources.messengers["wecom"] = resources.messengers["simulator"]
    row = await queue_text(resources, world, "k4")
    assert row.platform == "wecom"
    assert await deliver({"resources": resources}, row.id) == "failed"
    assert "tiji org sync wecom" in (await OutboxMessage.get(id=row.id)).last_error
