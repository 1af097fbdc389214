"""At WeCom's limit of 30 messages a minute per member, delivery waits instead of failing: every
message reaches the fake WeCom API once, none is dropped, and no attempt is used up by waiting."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from arq import Retry
from tortoise.transactions import in_transaction

from bot.clock import SimClock
from bot.messengers.registry import build_messengers
from bot.outbox.batch import OutboxBatch
from bot.outbox.delivery import deliver
from bot.runtime.resources import Resources
from models.enums import Platform
from models.messaging import OutboxMessage, OutboxStatus
from models.org import Organisation, Person
from tests.fakes.wecom_api import FakeWeCom

AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"


@pytest.fixture
async def fake(clock: SimClock) -> AsyncIterator[FakeWeCom]:
    api = FakeWeCom(now=lambda: clock.now().timestamp())
    api.add_user("wangju", "王局")
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture
def wecom(resources: Resources, fake: FakeWeCom) -> Resources:
    resources.settings = resources.settings.model_copy(
        update={"simulator": False, "wecom_corp_id": fake.corp_id, "wecom_agent_id": fake.agent_id,
                "wecom_secret": fake.secret, "wecom_token": "QDG6eK", "wecom_aes_key": AES_KEY,
                "wecom_api_base": fake.base_url}
    )  # fmt: skip
    resources.messengers = build_messengers(resources)
    return resources


async def queue_texts(resources: Resources, count: int) -> list[int]:
    organisation = await Organisation.create(code="t", name="测试局", default_platform=Platform.WECOM)
    leader = await Person.create(
        organisation=organisation, handle="wangju", name="王局", roles=["principal"], wecom_userid="wangju"
    )
    batch = OutboxBatch(resources.settings, organisation, resources.clock.now())
    async with in_transaction():
        for i in range(count):
            await batch.text(leader, f"提醒{i}", dedupe_key=f"t:{i}")
    return batch.ids


async def test_the_31st_message_of_a_minute_waits_for_a_slot_and_is_then_sent_once(
    wecom: Resources, fake: FakeWeCom, clock: SimClock
) -> None:
    ids = await queue_texts(wecom, 35)
    ctx = {"resources": wecom}
    waited: list[int] = []
    for outbox_id in ids:
        try:
            assert await deliver(ctx, outbox_id) == "sent"
        except Retry:
            waited.append(outbox_id)
    assert len(fake.texts_to("wangju")) == 30 and len(waited) == 5
    for row in await OutboxMessage.filter(id__in=waited):
        assert row.status is OutboxStatus.PENDING and row.attempts == 0  # waiting is no failed attempt
        assert row.next_attempt_at > clock.now()

    clock.advance(dt.timedelta(seconds=63))  # the minute and the limiter's arrival margin
    assert [await deliver(ctx, outbox_id) for outbox_id in waited] == ["sent"] * 5
    assert sorted(fake.texts_to("wangju")) == sorted(f"提醒{i}" for i in range(35))
    assert fake.dropped == [] and fake.duplicates == 0
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 35


async def test_waiting_at_the_limit_never_gives_a_message_up(
    wecom: Resources, fake: FakeWeCom, clock: SimClock
) -> None:
    [first, *_, last] = await queue_texts(wecom, 31)
    ctx = {"resources": wecom}
    for outbox_id in range(first, last):
        await deliver(ctx, outbox_id)
    for _ in range(12):  # more waits than a message has attempts
        with pytest.raises(Retry):
            await deliver(ctx, last)
        clock.advance(dt.timedelta(seconds=1))
        await OutboxMessage.filter(id=last).update(next_attempt_at=clock.now())
    clock.advance(dt.timedelta(seconds=60))
    await OutboxMessage.filter(id=last).update(next_attempt_at=clock.now())
    assert await deliver(ctx, last) == "sent"
    assert (await OutboxMessage.get(id=last)).status is OutboxStatus.SENT
    assert len(fake.texts_to("wangju")) == 31
