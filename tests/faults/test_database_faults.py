"""PostgreSQL connections of the web and the worker terminated (``pg_terminate_backend``) three
times while matters are submitted and delivered: each submission stored once (a callback that
failed answers non-200 and is sent again, as WeCom does), every message at WeCom exactly once."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
import pytest

from models.matter import Matter
from tests.faults.conftest import Cluster
from tests.faults.delivery_checks import (
    HEAD,
    STAFF,
    cluster_database,
    delivered_exactly_once,
    fast_worker,
    settled,
)
from tests.support.databases import admin
from tests.support.processes import until
from tests.support.wecom_traffic import FORM, post

pytestmark = pytest.mark.timeout(300)
MATTERS = 8


async def terminate_backends(cluster: Cluster, times: int) -> None:
    for _ in range(times):
        await asyncio.sleep(1.5)  # fault injection pacing, not a wait for an outcome
        await admin(
            cluster.database_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )


async def count_matters() -> int:
    try:
        return await Matter.all().count()
    except Exception:  # this test's own connection was terminated too: ask again
        return -1


async def test_terminated_database_connections_lose_and_double_nothing(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    web = await cluster.web()
    await fast_worker(cluster)
    async with cluster_database(cluster):
        faults = asyncio.create_task(terminate_backends(cluster, 3))
        for i in range(MATTERS):
            callback = cluster.traffic.text(STAFF, FORM.replace("某公司", f"某公司{i}"))
            for _ in range(4):  # WeCom re-sends a callback that did not get a 200
                if await post(http, web.base_url, callback) == 200:
                    break

            async def stored(expected: int = i + 1) -> bool:
                return await count_matters() >= expected

            await until(stored, within=60, what=f"submission {i} stored")
        await faults
        with contextlib.suppress(Exception):  # a pooled connection of ours may still be a dead one
            await Matter.all().count()
        assert await count_matters() == MATTERS
        await settled(within=120)
        await delivered_exactly_once(cluster)
        assert len(cluster.wecom.api.cards_to(HEAD)) == MATTERS
        assert len(cluster.wecom.api.texts_to(STAFF)) == MATTERS
