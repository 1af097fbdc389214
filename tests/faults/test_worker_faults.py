"""A worker killed (SIGKILL) or stopped (SIGTERM) in the middle of delivering, then started again:
every matter stored once, every message at the fake WeCom API exactly once."""

from __future__ import annotations

import signal

import aiohttp
import pytest

from models.messaging import OutboxMessage, OutboxStatus
from tests.faults.conftest import Cluster
from tests.faults.delivery_checks import (
    HEAD,
    cluster_database,
    delivered_exactly_once,
    fast_worker,
    matters_stored,
    settled,
    submit,
    texts_in_doubt,
)
from tests.support.processes import until

pytestmark = pytest.mark.timeout(240)
MATTERS = 12


async def some_sent() -> bool:
    return await OutboxMessage.filter(status=OutboxStatus.SENT).count() >= 3


async def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_nothing(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.wecom.api.answer_delay = 0.3  # deliveries in flight when the kill comes
    web = await cluster.web()
    worker = await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, MATTERS)
        await matters_stored(MATTERS)
        await until(some_sent, within=60, what="the first deliveries")
        assert await worker.kill() == -signal.SIGKILL
        assert await OutboxMessage.filter(status=OutboxStatus.PENDING).exists()
        doubtful = await texts_in_doubt(cluster)
        await worker.start()
        await settled()
        await delivered_exactly_once(cluster, doubtful_texts=doubtful)
        assert len(cluster.wecom.api.cards_to(HEAD)) == MATTERS


async def test_a_worker_stopped_mid_delivery_finishes_what_it_started(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.wecom.api.answer_delay = 0.3
    web = await cluster.web()
    worker = await fast_worker(cluster)
    async with cluster_database(cluster):
        await submit(http, cluster, web, MATTERS)
        await matters_stored(MATTERS)
        await until(some_sent, within=60, what="the first deliveries")
        accepted = len(cluster.wecom.api.sent)
        assert await worker.stop(grace=30) == 0  # SIGTERM: finished in its grace period, exit 0
        assert "cut short" not in worker.log()
        # Whatever the fake accepted is recorded as sent: nothing waits for a lease to run out.
        assert len(cluster.wecom.api.sent) >= accepted
        sent = await OutboxMessage.filter(status=OutboxStatus.SENT).count()
        assert len(cluster.wecom.api.sent) == sent
        await worker.start()
        await settled()
        await delivered_exactly_once(cluster)
        assert cluster.wecom.api.duplicates == 0  # no resend needed the platform's dedupe
