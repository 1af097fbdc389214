"""Redis killed and started again under a running worker: the same worker process reconnects (it
says so once), resumes the queue and the sweeper, and every message reaches WeCom exactly once."""

from __future__ import annotations

import aiohttp
import pytest

from tests.faults.conftest import Cluster
from tests.faults.delivery_checks import (
    HEAD,
    cluster_database,
    delivered_exactly_once,
    fast_worker,
    settled,
    submit,
)
from tests.support.processes import until

pytestmark = pytest.mark.timeout(240)


async def test_the_worker_reconnects_after_redis_restarts_and_delivers_everything_once(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    web = await cluster.web()
    worker = await fast_worker(cluster)
    pid = worker.pid
    async with cluster_database(cluster):
        await submit(http, cluster, web, 3)
        await settled()

        await cluster.redis.kill()

        async def lost() -> bool:
            return "worker lost Redis" in worker.log()

        await until(lost, within=60, what="the worker noticing Redis is gone")
        await cluster.redis.start()

        async def back() -> bool:
            return "worker reconnected to Redis" in worker.log()

        await until(back, within=60, what="the worker reconnecting")
        await submit(http, cluster, web, 3)
        await settled()
        assert worker.running and worker.pid == pid  # the same process, never restarted
        assert worker.log().count("worker lost Redis") == 1
        assert worker.log().count("worker reconnected to Redis") == 1
        await delivered_exactly_once(cluster)
        assert len(cluster.wecom.api.cards_to(HEAD)) == 6
