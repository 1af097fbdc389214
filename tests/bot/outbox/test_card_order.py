"""Card order: an update never overtakes its card, and a card decided before it went out arrives
once, closed (through the simulator's API, the real delivery job and the simulator messenger)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.clock import SimClock
from bot.outbox.delivery import deliver
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import Platform
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.org import Person
from tests.fakes.counting_messenger import CountingMessenger
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


@pytest.fixture
def platform(stack: Stack) -> CountingMessenger:
    counting = CountingMessenger(stack.resources.messengers[Platform.SIMULATOR])
    stack.resources.messengers[Platform.SIMULATOR] = counting
    return counting


async def submit_undelivered(stack: Stack) -> CardInstance:
    """Submit a matter and return the section head's card, none of it delivered yet."""
    response = await stack.client.post("/sim/api/messages", json={"from": "zhangwei", "text": FORM})
    assert response.status == 202
    head = await Person.get(handle="chenguoqing")
    return await CardInstance.get(recipient_id=head.id)


async def head_cards(stack: Stack) -> list[dict[str, Any]]:
    response = await stack.client.get("/sim/api/inbox/chenguoqing")
    return [item["card"] for item in await response.json() if item["kind"] == "card"]


async def deliver_newest_first(stack: Stack, instance: CardInstance) -> list[str]:
    ids = await OutboxMessage.filter(card_id=instance.id).order_by("-id").values_list("id", flat=True)
    return [await deliver({"resources": stack.resources}, int(i)) for i in ids]


async def test_a_step_decided_before_its_card_went_out_arrives_once_closed(
    stack: Stack, platform: CountingMessenger
) -> None:
    instance = await submit_undelivered(stack)
    answer = await stack.client.post(
        f"/sim/api/cards/{instance.ref}/click", json={"by": "chenguoqing", "key": "can_do", "selected": {}}
    )
    assert (await answer.json())["ok"]

    assert await deliver_newest_first(stack, instance) == ["waiting", "sent"]
    await stack.drain()

    [card] = await head_cards(stack)
    assert card["closed"] and card["status"] != "待处理"
    assert platform.count("card", "chenguoqing") == 1 and platform.count("card_update", "chenguoqing") == 0
    update = await OutboxMessage.get(card_id=instance.id, kind=OutboxKind.CARD_UPDATE)
    assert update.status is OutboxStatus.MERGED
    assert (await CardInstance.get(id=instance.id)).sent_at is not None  # its first delivery's time
    await stack.drain()  # a late job for the update (sweeper, arq re-run) sends nothing more
    assert await deliver({"resources": stack.resources}, update.id) == "skipped"
    assert platform.count("card", "chenguoqing") == 1 and len(await head_cards(stack)) == 1


async def test_an_update_waits_for_its_card_and_updates_apply_in_order(
    stack: Stack, platform: CountingMessenger
) -> None:
    instance = await submit_undelivered(stack)
    card_row = await OutboxMessage.get(card_id=instance.id, kind=OutboxKind.CARD)
    assert await deliver({"resources": stack.resources}, card_row.id) == "sent"
    answer = await stack.client.post(
        f"/sim/api/cards/{instance.ref}/click", json={"by": "chenguoqing", "key": "escalate", "selected": {}}
    )
    assert (await answer.json())["ok"]
    [update] = await OutboxMessage.filter(card_id=instance.id, kind=OutboxKind.CARD_UPDATE)
    assert await deliver({"resources": stack.resources}, update.id) == "sent"
    assert [kind for kind, user, _ in platform.calls if user == "chenguoqing"] == ["card", "card_update"]
    [card] = await head_cards(stack)
    assert card["closed"] and "已提级" in card["status"]
