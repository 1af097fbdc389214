"""A pass's outbox rows written together (`OutboxBatch(deferred=True)` + ``flush``): each message
stored once, in the order decided, and delivered like any other."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from bot.outbox.batch import OutboxBatch
from bot.outbox.bulk import deliver_batch
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage
from tests.bot.outbox.test_delivery import world  # noqa: F401 - the fixture


async def test_rows_written_together_are_stored_once_in_order_and_delivered(
    resources: Resources,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    earlier = OutboxBatch(resources.settings, world["org"], resources.clock.now())
    async with in_transaction():
        await earlier.text(world["person"], "早先的", dedupe_key="k:0")
    batch = OutboxBatch(resources.settings, world["org"], resources.clock.now(), deferred=True)
    async with in_transaction():
        for i in range(3):
            await batch.text(world["person"], f"第 {i} 条", dedupe_key=f"k:{i}")
        await batch.text(world["person"], "又一次", dedupe_key="k:2")  # decided twice, stored once
        await batch.group(world["office"], "**群里**", dedupe_key="k:group")
        assert await OutboxMessage.all().count() == 1  # nothing written before the flush
        await batch.flush()
    rows = await OutboxMessage.all().order_by("id")
    assert [r.dedupe_key for r in rows] == ["k:0", "k:1", "k:2", "k:group"]
    assert batch.ids == [r.id for r in rows[1:]]  # the rows this batch wrote, to be nudged
    assert rows[2].payload["text"] == "第 2 条"
    outcome = await deliver_batch({"resources": resources}, [r.id for r in rows])
    assert outcome == {"sent": 4, "not claimed": 0}
    assert world["messenger"].texts == [("zhang", "早先的"), ("zhang", "第 1 条"), ("zhang", "第 2 条")]
    assert world["messenger"].groups == [("办公室群", "**群里**")]


async def test_a_failed_transaction_leaves_no_deferred_row(
    resources: Resources,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    batch = OutboxBatch(resources.settings, world["org"], resources.clock.now(), deferred=True)
    try:
        async with in_transaction():
            await batch.text(world["person"], "不会发出", dedupe_key="k:lost")
            await batch.flush()
            raise RuntimeError("the pass failed after writing")
    except RuntimeError:
        pass
    assert await OutboxMessage.filter(dedupe_key="k:lost").count() == 0
