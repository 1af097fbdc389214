"""``/healthz``, ``/readyz`` and ``/metrics`` of the web app, with a real worker started and stopped,
Redis lost and the database lost."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tortoise import Tortoise

from bot.clock import SimClock
from bot.health.heartbeat import WORKER_PREFIX
from bot.jobs.worker import build_worker, stop_worker
from bot.runtime.db import tortoise_config
from bot.runtime.redis_clients import app_redis
from bot.settings import Settings
from tests.support.stack import Stack, running_stack


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings.model_copy(update={"heartbeat_seconds": 0.05}), clock) as stack:
        yield stack


@contextlib.asynccontextmanager
async def running_worker(stack: Stack) -> AsyncIterator[None]:
    worker = build_worker(stack.resources, with_cron=False)
    task = asyncio.create_task(worker.async_run())
    try:
        yield
    finally:
        await stop_worker(worker)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def readiness(stack: Stack) -> tuple[int, dict[str, dict[str, Any]]]:
    response = await stack.client.get("/readyz")
    body = await response.json()
    assert body["message"] == ("就绪" if response.status == 200 else body["message"])
    assert response.status == 200 or body["message"].startswith("未就绪：")
    return response.status, {check["name"]: check for check in body["checks"]}


async def until_ready(stack: Stack) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, checks = await readiness(stack)
        if status == 200:
            return checks
        await asyncio.sleep(0.05)
    raise AssertionError(f"never ready: {checks}")


async def test_healthz_says_the_process_is_up_whatever_else_is_down(
    stack: Stack, lost_redis_url: str
) -> None:
    stack.resources.redis = app_redis(lost_redis_url)
    response = await stack.client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["ok"] is True


async def test_readyz_is_ready_with_a_running_worker_and_reports_it_once_stopped(stack: Stack) -> None:
    status, checks = await readiness(stack)
    assert status == 503
    assert checks["worker"]["ok"] is False
    assert "没有任何后台任务进程的心跳" in checks["worker"]["detail"]
    assert "tiji-worker" in checks["worker"]["fix"]
    assert checks["database"]["ok"] and checks["redis"]["ok"]

    async with running_worker(stack):
        checks = await until_ready(stack)
        assert "1 个在运行" in checks["worker"]["detail"]

    status, checks = await readiness(stack)
    assert status == 503
    assert checks["worker"]["ok"] is False
    assert await stack.resources.redis.keys(WORKER_PREFIX + "*") == []


async def test_readyz_reports_a_lost_redis(stack: Stack, lost_redis_url: str) -> None:
    stack.resources.redis = app_redis(lost_redis_url)
    try:
        status, checks = await readiness(stack)
    finally:
        await stack.resources.redis.aclose()
    assert status == 503
    assert checks["redis"]["ok"] is False
    assert "连不上 Redis" in checks["redis"]["detail"]
    assert "TIJI_REDIS_URL" in checks["redis"]["fix"]
    assert checks["worker"]["ok"] is False
    assert checks["database"]["ok"] is True


async def test_readyz_reports_a_lost_database(stack: Stack, lost_database_url: str) -> None:
    async with running_worker(stack):
        await until_ready(stack)
        await Tortoise.close_connections()
        await Tortoise.init(config=tortoise_config(lost_database_url))
        status, checks = await readiness(stack)
    assert status == 503
    assert checks["database"]["ok"] is False
    assert "连不上数据库" in checks["database"]["detail"]
    assert "TIJI_DATABASE_URL" in checks["database"]["fix"]
    assert checks["redis"]["ok"] is True


async def test_readyz_checks_the_dingtalk_stream_only_where_stream_mode_is_configured(stack: Stack) -> None:
    assert "dingtalk_stream" not in (await readiness(stack))[1]
    stack.resources.settings = stack.resources.settings.model_copy(
        update={"dingtalk_client_id": "dingabc", "dingtalk_client_secret": "s", "dingtalk_mode": "stream"}
    )
    _, checks = await readiness(stack)
    assert checks["dingtalk_stream"]["ok"] is False
    assert "没有 Stream 进程报告状态" in checks["dingtalk_stream"]["detail"]


async def test_metrics_show_the_backlog_the_workers_and_the_callbacks(stack: Stack) -> None:
    await stack.import_org()
    response = await stack.client.post("/wecom/callback", data=b"<xml>forged</xml>")
    assert response.status >= 400
    async with running_worker(stack):
        await until_ready(stack)
        text = await (await stack.client.get("/metrics")).text()
    assert "tiji_workers_alive 1.0" in text
    assert 'tiji_dependency_up{dependency="database"} 1.0' in text
    assert 'tiji_dependency_up{dependency="redis"} 1.0' in text
    assert "tiji_outbox_backlog 0.0" in text
    assert 'tiji_callbacks_total{platform="wecom",result=' in text
