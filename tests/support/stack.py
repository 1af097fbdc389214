"""The whole product in one test: web app (TestClient), real arq worker (burst), real Redis.

``async with running_stack(settings, clock) as stack`` expects the database schema to exist (use
the ``db`` fixture) and flushes the Redis it is given.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import Clock
from bot.inbound.applier import Applier
from bot.jobs.supervisor import cancel_until_done
from bot.jobs.worker import build_worker, stop_worker
from bot.messengers.registry import build_messengers
from bot.outbox.delivery import sweep_outbox
from bot.runtime.redis_clients import app_redis, arq_redis
from bot.runtime.resources import ROUTER, Resources
from bot.settings import Settings
from bot.web.app import build_app
from models.messaging import OutboxMessage, OutboxStatus
from tests.support.inbound import apply_pending, inbound_for

EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "examples" / "org.yaml"


@dataclass
class Stack:
    resources: Resources
    app: web.Application
    client: TestClient
    _background: list[asyncio.Task[None]] = field(default_factory=list)
    _cleanups: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def import_org(self, path: Path = EXAMPLE_ORG) -> None:
        from bot.org import import_org

        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        await import_org(text, source=str(path))

    async def apply_inbound(self) -> int:
        """Apply the stored inbound events (callbacks posted), as the worker does."""
        return await apply_pending(self.resources, self.app[ROUTER])

    async def drain(self, rounds: int = 30) -> int:
        """Apply the stored inbound events, then deliver everything pending now through the real
        arq worker (burst mode); returns rows sent."""
        await self.apply_inbound()
        sent_before = await OutboxMessage.filter(status=OutboxStatus.SENT.value).count()
        for _ in range(rounds):
            queued = await sweep_outbox(self.resources)
            if queued == 0:
                break
            worker = build_worker(self.resources, burst=True, with_cron=False)
            await worker.async_run()
        return await OutboxMessage.filter(status=OutboxStatus.SENT.value).count() - sent_before

    async def tick(self) -> dict[str, int]:
        """The due cron work as of the clock's now (as `POST /sim/api/tick` does), then delivery."""
        from bot.jobs.passes import run_due_work

        ran = await run_due_work(self.resources)
        await self.drain()
        return ran

    async def serve(self) -> str:
        """Listen on a free loopback port with a continuously running worker; returns the base URL."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        runner = web.AppRunner(self.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        worker = build_worker(self.resources, with_cron=False)
        worker.poll_delay_s = 0.05

        async def work() -> None:
            try:
                await worker.async_run()
            finally:
                await stop_worker(worker)

        async def sweep_loop() -> None:
            while True:
                await sweep_outbox(self.resources)
                await asyncio.sleep(0.2)

        stop = asyncio.Event()
        applier = Applier(self.resources, inbound_for(self.app[ROUTER]))
        self._background += [
            asyncio.create_task(work()),
            asyncio.create_task(sweep_loop()),
            asyncio.create_task(applier.run(stop)),
        ]

        async def cleanup() -> None:
            await runner.cleanup()

        self._cleanups.append(cleanup)
        return f"http://127.0.0.1:{port}"

    async def close(self) -> None:
        for task in self._background:
            with contextlib.suppress(Exception):
                await cancel_until_done(task)  # arq's poll loop may swallow one cancel
        for cleanup in reversed(self._cleanups):
            await cleanup()


@contextlib.asynccontextmanager
async def running_stack(settings: Settings, clock: Clock) -> AsyncIterator[Stack]:
    assert settings.redis_url, "tests pass a Redis URL"
    redis = app_redis(settings.redis_url)
    arq = arq_redis(settings.redis_url)  # two clients, as bot.runtime.lifecycle builds them
    await redis.flushdb()
    try:
        async with aiohttp.ClientSession() as http:
            resources = Resources(settings=settings, clock=clock, redis=redis, http=http, arq=arq)
            resources.messengers = build_messengers(resources)
            app = build_app(settings, resources=resources)
            async with TestClient(TestServer(app)) as client:
                stack = Stack(resources=resources, app=app, client=client)
                try:
                    yield stack
                finally:
                    await stack.close()
    finally:
        await arq.aclose()
        await redis.aclose()
