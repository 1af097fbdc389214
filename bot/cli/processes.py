"""The long-running processes: `tiji dev`, `serve`, `worker` and `dingtalk-stream`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from typing import TYPE_CHECKING

from aiohttp import web

from bot.cli.common import (
    logging_setup,
    make_clock,
    settings_from_env,
    until_signalled,
)
from bot.cli.priority import lower_priority
from bot.health.metrics import Metrics, StreamMetrics
from bot.inbound.applier import Applier
from bot.inbound.apply import InboundApply
from bot.messengers.registry import build_messengers, inbound_prepares
from bot.runtime.db import migrate
from bot.runtime.lifecycle import freeze_startup_objects, running_resources
from bot.runtime.resources import ROUTER, Resources
from bot.settings import Settings
from bot.web.health import ops_app

if TYPE_CHECKING:
    from bot.outbox.local import LocalDelivery

log = logging.getLogger(__name__)


async def serve_ops(resources: Resources, registry: Metrics) -> web.AppRunner | None:
    """``/healthz``, ``/readyz`` and ``/metrics`` on ``TIJI_METRICS_PORT`` (nothing when unset)."""
    settings = resources.settings
    if settings.metrics_port is None:
        return None
    runner = web.AppRunner(ops_app(resources, registry), handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, settings.host, settings.metrics_port).start()
    return runner


async def serve(settings: Settings, *, with_worker: bool, banner: bool) -> None:
    # Each process imports only what it runs (its start-up time and memory): the web app here, the
    # worker only in `tiji dev`, which has both.
    from bot.web.app import build_app  # noqa: PLC0415

    clock = make_clock(settings)

    async def main(stop: asyncio.Event) -> None:
        async with running_resources(settings, clock, build_messengers) as resources:
            app = build_app(settings, resources=resources)
            runner = web.AppRunner(app, handle_signals=False)
            await runner.setup()
            site = web.TCPSite(runner, settings.host, settings.port)
            await site.start()
            tasks: list[asyncio.Task[object]] = []
            local: LocalDelivery | None = None
            if with_worker:
                from bot.jobs.supervisor import supervise  # noqa: PLC0415
                from bot.jobs.worker import build_worker, deliver_here  # noqa: PLC0415

                inbound = InboundApply(app[ROUTER], inbound_prepares())
                applier = Applier(resources, inbound)
                worker = build_worker(resources, inbound=inbound, applier=applier)
                local = deliver_here(worker, resources)
                tasks.append(asyncio.create_task(supervise(resources, worker, stop)))
                tasks.append(asyncio.create_task(applier.run(stop)))
            if with_worker and settings.dingtalk_enabled and settings.dingtalk_mode == "stream":
                from bot.messengers.dingtalk import run_stream  # noqa: PLC0415

                tasks.append(asyncio.create_task(run_stream(resources, app[ROUTER], stop)))
            base = f"http://{settings.host}:{settings.port}"
            if banner:
                print(f"tiji 已启动：{base}", flush=True)
                if settings.simulator:
                    print(f"模拟器：{base}/sim", flush=True)
                print("按 Ctrl-C 停止。", flush=True)
            try:
                await stop.wait()
            finally:
                print("正在停止…", flush=True)
                stop.set()  # the worker finishes its deliveries in flight (its grace period)
                with contextlib.suppress(TimeoutError):  # wait_for cancels what is still running
                    await asyncio.wait_for(
                        asyncio.gather(*tasks, return_exceptions=True), settings.worker_grace_seconds + 10
                    )
                if local is not None:
                    await local.close(grace=settings.worker_grace_seconds)
                await runner.cleanup()
        print("已停止。", flush=True)

    await until_signalled(main)


async def cmd_dev(args: argparse.Namespace) -> int:
    settings = settings_from_env(simulator=True)
    logging_setup(settings, "text")
    await migrate(settings)
    await serve(settings, with_worker=True, banner=True)
    return 0


async def cmd_serve(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    logging_setup(settings)
    await serve(settings, with_worker=False, banner=True)
    return 0


async def cmd_worker(args: argparse.Namespace) -> int:
    from bot.jobs.supervisor import supervise  # noqa: PLC0415 - the worker's code only (see serve)
    from bot.jobs.worker import build_worker, deliver_here  # noqa: PLC0415
    from handlers.router import Router  # noqa: PLC0415 - the worker applies inbound events

    settings = settings_from_env()
    logging_setup(settings)
    lower_priority(settings.worker_nice)
    clock = make_clock(settings)

    status = 0

    async def main(stop: asyncio.Event) -> None:
        nonlocal status
        async with running_resources(settings, clock, build_messengers) as resources:
            inbound = InboundApply(Router(resources), inbound_prepares())
            loop = Applier(resources, inbound)
            worker = build_worker(resources, inbound=inbound, applier=loop)
            local = deliver_here(worker, resources)
            ops = await serve_ops(resources, worker.ctx["metrics"])
            freeze_startup_objects()
            applier = asyncio.create_task(loop.run(stop))
            print("tiji worker 已启动", flush=True)  # supervisors and the fault tests wait for this line
            try:
                status = await supervise(resources, worker, stop)
            finally:
                stop.set()  # the applier too, when the worker gave up on Redis
                await asyncio.gather(applier, return_exceptions=True)
                await local.close(grace=settings.worker_grace_seconds)
                if ops is not None:
                    await ops.cleanup()

    await until_signalled(main)
    return status


async def cmd_dingtalk_stream(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    logging_setup(settings)
    if not settings.dingtalk_enabled:
        print("钉钉未配置：需要 TIJI_DINGTALK_CLIENT_ID 和 TIJI_DINGTALK_CLIENT_SECRET", file=sys.stderr)
        return 2

    from bot.messengers.dingtalk import run_stream  # noqa: PLC0415 - see serve
    from bot.web.app import build_router  # noqa: PLC0415

    async def main(stop: asyncio.Event) -> None:
        async with running_resources(settings, make_clock(settings), build_messengers) as resources:
            ops = await serve_ops(resources, StreamMetrics())
            try:
                await run_stream(resources, build_router(resources), stop)
            finally:
                if ops is not None:
                    await ops.cleanup()

    await until_signalled(main)
    return 0
