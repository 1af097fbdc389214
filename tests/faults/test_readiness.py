"""Readiness with real processes: `tiji serve`'s ``/readyz`` and `tiji doctor` report a stopped
worker and a lost Redis, and recover once they are back; a worker serves its own ``/readyz`` and
counts its deliveries on ``TIJI_METRICS_PORT``. (A lost database is tested in-process, in
``tests/bot/health/``: a database cannot be made unreachable here without stopping the machine's.)"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import aiohttp
import pytest

from tests.faults.conftest import Cluster
from tests.support.processes import TijiWorker, free_port, wait_for, worker
from tests.support.wecom_traffic import FORM, post

pytestmark = pytest.mark.timeout(300)
STAFF, HEAD = "Zhangwei", "Chenguoqing"


async def readiness(http: aiohttp.ClientSession, base_url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(f"{base_url}/readyz", timeout=aiohttp.ClientTimeout(total=15)) as response:
        body = await response.json()
        return response.status, {check["name"]: check["ok"] for check in body["checks"]}


async def doctor(env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "doctor", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    async with asyncio.timeout(60):
        out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


async def until_readiness(
    http: aiohttp.ClientSession, base_url: str, status: int, what: str
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def reached() -> bool:
        nonlocal seen
        code, seen = await readiness(http, base_url)
        return code == status

    await wait_for(reached, within=60, what=what)
    return seen


async def test_readyz_and_doctor_report_a_stopped_worker_and_a_lost_redis(
    cluster: Cluster, http: aiohttp.ClientSession
) -> None:
    web = await cluster.web()
    metrics_port = free_port()
    env = {**cluster.env("worker"), "TIJI_HOST": "127.0.0.1", "TIJI_METRICS_PORT": str(metrics_port)}
    job: TijiWorker = worker(cluster.workdir, env)
    cluster.services.append(job)
    await job.start()

    await until_readiness(http, web.base_url, 200, "ready with a worker")
    code, out = await doctor(cluster.env("doctor"))
    assert code == 0 and "✔ 后台任务进程（tiji worker）：1 个在运行" in out, out
    assert (await readiness(http, f"http://127.0.0.1:{metrics_port}"))[0] == 200  # the worker's own

    assert await post(http, web.base_url, cluster.traffic.text(STAFF, FORM)) == 200
    await wait_for(lambda: cluster.wecom.api.cards_to(HEAD), within=30, what="the head's card")

    async def counted() -> bool:
        async with http.get(f"http://127.0.0.1:{metrics_port}/metrics") as response:
            return 'tiji_deliveries_total{result="sent"}' in await response.text()

    await wait_for(counted, within=30, what="the worker's delivery count")

    await job.stop()  # SIGTERM: the worker leaves and says so
    checks = await until_readiness(http, web.base_url, 503, "not ready without a worker")
    assert checks == {"database": True, "redis": True, "worker": False}
    code, out = await doctor(cluster.env("doctor"))
    assert code == 1 and "✘ 后台任务进程（tiji worker）" in out and "systemctl start tiji-worker@1" in out

    await job.start()
    await until_readiness(http, web.base_url, 200, "ready again with the worker back")

    await cluster.redis.stop(grace=5)
    checks = await until_readiness(http, web.base_url, 503, "not ready without Redis")
    assert checks["redis"] is False and checks["database"] is True
    code, out = await doctor(cluster.env("doctor"))
    assert code == 1 and "✘ Redis：连不上 Redis" in out

    await cluster.redis.start()
    await until_readiness(http, web.base_url, 200, "ready again once Redis is back")
