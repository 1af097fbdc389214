"""``bot.outbox.local``: a worker sends the rows of the events it applies itself, at once — no arq
job queued — and what it cannot take (stopping, failing) is left to arq and the sweeper."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from arq.connections import ArqRedis
from tortoise.transactions import in_transaction

from bot.outbox.batch import OutboxBatch
from bot.outbox.bulk import deliver_batch
from bot.outbox.local import LocalDelivery
from bot.runtime.redis_clients import arq_redis
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus
from tests.bot.outbox.test_delivery import world  # noqa: F401 - the fixture


@pytest.fixture
async def arq(resources: Resources, redis_server_url: str) -> AsyncIterator[ArqRedis]:
    pool = arq_redis(redis_server_url)
    resources.arq = pool
    try:
        yield pool
    finally:
        await pool.aclose()


def _here(resources: Resources, job: Any = deliver_batch, **options: Any) -> LocalDelivery:
    """This process's deliveries, as `tiji worker` wires them (``bot.jobs.worker.deliver_here``)."""
    local = LocalDelivery({"resources": resources}, job, timeout=10, **options)
    resources.deliver_here = local.submit
    return local


async def _written(resources: Resources, world: dict[str, Any], key: str) -> OutboxBatch:  # noqa: F811
    batch = OutboxBatch(resources.settings, world["org"], resources.clock.now())
    async with in_transaction():
        await batch.text(world["person"], "已办理", dedupe_key=key)
    return batch


async def test_an_applied_events_message_goes_out_from_this_worker_without_a_queued_job(
    resources: Resources,
    arq: ArqRedis,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    local = _here(resources)
    batch = await _written(resources, world, "k:here")
    await batch.nudge(resources)
    await asyncio.wait_for(asyncio.gather(*local.running), 5)
    assert world["messenger"].texts == [("zhang", "已办理")]
    assert (await OutboxMessage.get(dedupe_key="k:here")).status == OutboxStatus.SENT
    assert await arq.queued_jobs() == []


async def test_a_stopping_worker_leaves_new_rows_to_arq(
    resources: Resources,
    arq: ArqRedis,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    local = _here(resources)
    await local.close(grace=1)
    batch = await _written(resources, world, "k:stopping")
    await batch.nudge(resources)
    [job] = await arq.queued_jobs()
    assert (job.function, job.args) == ("deliver_batch", [batch.ids])
    assert world["messenger"].texts == []


async def test_a_delivery_that_fails_here_leaves_its_row_pending_for_the_sweeper(
    resources: Resources,
    world: dict[str, Any],  # noqa: F811 - the fixture
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def database_away(ctx: dict[str, Any], ids: list[int]) -> None:
        raise ConnectionError("database went away")

    local = _here(resources, database_away)
    batch = await _written(resources, world, "k:failing")
    await batch.nudge(resources)
    await asyncio.gather(*local.running)
    assert (await OutboxMessage.get(dedupe_key="k:failing")).status == OutboxStatus.PENDING
    assert "the sweeper queues it again" in caplog.text


async def test_stopping_lets_a_delivery_in_flight_finish(
    resources: Resources,
    world: dict[str, Any],  # noqa: F811 - the fixture
) -> None:
    world["messenger"].delay = 0.2
    local = _here(resources)
    batch = await _written(resources, world, "k:in-flight")
    await batch.nudge(resources)
    await _until(lambda: not local.waiting)  # taken: being sent
    await local.close(grace=5)
    assert world["messenger"].texts == [("zhang", "已办理")]
    assert (await OutboxMessage.get(dedupe_key="k:in-flight")).status == OutboxStatus.SENT


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 (the recorded state is the signal)
            await asyncio.sleep(0)


class Recording:
    """A delivery job that records the chunks it was given and takes a while over each."""

    def __init__(self) -> None:
        self.chunks: list[list[int]] = []

    async def __call__(self, ctx: dict[str, Any], ids: list[int]) -> None:
        self.chunks.append(ids)
        await asyncio.sleep(0.05)


async def test_a_bursts_rows_go_out_in_a_few_chunks_not_one_per_event(resources: Resources) -> None:
    job = Recording()
    local = _here(resources, job, consumers=1)
    assert local.submit([1])
    await _until(lambda: bool(job.chunks))  # its delivery has begun
    for outbox_id in range(2, 11):  # nine more events applied meanwhile, one row each
        assert local.submit([outbox_id])
    await asyncio.wait_for(asyncio.gather(*local.running), 5)
    assert job.chunks == [[1], list(range(2, 11))]  # the first at once, the rest together


async def test_rows_still_waiting_when_the_worker_stops_are_handed_to_arq(
    resources: Resources, arq: ArqRedis
) -> None:
    job = Recording()
    local = _here(resources, job, consumers=1)
    local.submit([1])
    await _until(lambda: bool(job.chunks))  # its delivery has begun
    local.submit([2])
    local.submit([3])
    await local.close(grace=5)
    assert job.chunks == [[1]]  # in flight when it stopped: finished
    [queued] = await arq.queued_jobs()
    assert (queued.function, queued.args) == ("deliver_batch", [[2, 3]])
