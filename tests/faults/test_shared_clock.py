"""The simulator's clock moved through one web is every process's clock: a submission made after
a three-day advance is delivered by a separate `tiji worker`, and a second web shows the same now."""

from __future__ import annotations

import datetime as dt
from typing import Any

import aiohttp
import pytest

from tests.faults.conftest import Cluster
from tests.faults.delivery_checks import fast_worker
from tests.support.processes import until

pytestmark = pytest.mark.timeout(180)
FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"


async def sim_now(http: aiohttp.ClientSession, base_url: str) -> dt.datetime:
    async with http.get(f"{base_url}/sim/api/clock") as response:
        return dt.datetime.fromisoformat((await response.json())["now"])


async def test_an_advance_in_one_web_is_the_clock_of_the_worker_and_the_other_web(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    cluster.simulator = True
    web, other = await cluster.web("web"), await cluster.web("web2")
    await fast_worker(cluster)
    before = await sim_now(http, web.base_url)
    async with http.post(f"{web.base_url}/sim/api/clock", json={"advance": "P3D"}) as response:
        assert response.status == 200
    later = await sim_now(http, other.base_url)
    assert dt.timedelta(days=3) <= later - before < dt.timedelta(days=3, minutes=1)

    async with http.post(
        f"{web.base_url}/sim/api/messages", json={"from": "zhangwei", "text": FORM}
    ) as response:
        assert response.status == 202

    async def head_has_card() -> bool:
        async with http.get(f"{other.base_url}/sim/api/inbox/chenguoqing") as response:
            items: list[dict[str, Any]] = await response.json()
        return any(item["kind"] == "card" for item in items)

    # Written at now + 3 days: only a worker on the same clock finds it due.
    await until(head_has_card, within=60, what="the head's card delivered by the worker")
