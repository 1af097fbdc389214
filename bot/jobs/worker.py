"""The arq worker: delivery jobs, the outbox sweeper and the scheduled work ("what is due now")."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from arq import cron
from arq.worker import Worker

from bot.health.heartbeat import passes_ran, start_heartbeat
from bot.health.metrics import WorkerMetrics
from bot.inbound.applier import Applier
from bot.inbound.apply import InboundApply, apply_pending
from bot.inbound.prune import prune_applied
from bot.jobs.passes import run_due_work
from bot.jobs.supervisor import cancel_until_done
from bot.outbox.bulk import DELIVERY_GATE, deliver_batch
from bot.outbox.delivery import deliver, sweep_outbox
from bot.outbox.local import LocalDelivery
from bot.runtime.redis_clients import json_deserializer, json_serializer
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

QUEUE = "arq:queue"
EVERY_MINUTE = set(range(60))
SWEEP_ROUNDS = 10
APPLIER = "applier"  # the ctx key of the process's Applier, if it runs one


async def sweep(ctx: dict[str, Any]) -> int:
    """Cron: re-enqueue pending outbox rows whose job was lost or whose retry is due."""
    return await sweep_outbox(ctx["resources"])


async def due_work(ctx: dict[str, Any]) -> dict[str, int]:
    """Cron: reminders, overdue alerts, quarterly digests and report tasks that are due now."""

    try:
        return await run_due_work(ctx["resources"])
    finally:
        await passes_ran(ctx["resources"].redis)  # the reminder lag (/metrics) is measured from here


async def sweep_inbound(ctx: dict[str, Any]) -> int:
    """Cron: apply the inbound events whose wake-up was lost or whose worker died mid-apply."""
    # A few rounds: the worker's Applier does the bulk; this is the net under it.
    resources: Resources = ctx["resources"]
    applier: Applier | None = ctx.get(APPLIER)
    if applier is not None and applier.alive:
        # This process's Applier claims on its own timer too; a second applying loop beside it
        # doubled the applies in flight, starved the pool and held the counter row longer.
        applier.wake()
        applied = 0
    else:
        applied = await apply_pending(resources, ctx["inbound"], rounds=SWEEP_ROUNDS)
    await prune_applied(resources.clock.now())
    return applied


def build_worker(
    resources: Resources,
    *,
    burst: bool = False,
    with_cron: bool = True,
    inbound: InboundApply | None = None,
    applier: Applier | None = None,
) -> Worker:
    """A worker on the resources' Redis. Cron jobs are ``unique`` so N workers run each once.
    With ``inbound`` (the composition root's router) it also sweeps the stored inbound events;
    with the process's ``applier`` running, the sweep only wakes it."""
    if resources.arq is None:
        raise ValueError("the worker needs an arq pool (Resources.arq)")
    settings = resources.settings
    inbound_sweep = (
        [
            cron(
                sweep_inbound,
                second=set(range(0, 60, settings.inbound_sweep_seconds)),
                unique=True,
                run_at_startup=True,
                keep_result=settings.inbound_sweep_seconds,
                timeout=max(10.0, 2 * settings.inbound_lease_seconds),
            )
        ]
        if with_cron and inbound is not None
        else []
    )
    cron_jobs = inbound_sweep + (
        [
            cron(
                sweep,
                second=set(range(0, 60, settings.sweep_every_seconds)),
                unique=True,
                run_at_startup=True,
                keep_result=settings.sweep_every_seconds,
            ),
            cron(due_work, second={5}, unique=True, run_at_startup=True, keep_result=60),
        ]
        if with_cron
        else []
    )
    metrics = WorkerMetrics()  # served on TIJI_METRICS_PORT by `tiji worker`
    return Worker(
        # A delivery is cut at its lease, so a row is never claimed again while an attempt lives.
        functions=[
            metrics.counting(deliver, timeout=settings.delivery_lease_seconds),
            # Two waves of deliveries (BATCH_SIZE / BATCH_CONCURRENCY), each within its lease.
            metrics.counting(deliver_batch, timeout=3 * settings.delivery_lease_seconds),
        ],
        cron_jobs=cron_jobs,
        redis_pool=resources.arq,
        burst=burst,
        handle_signals=False,  # the CLI's handler stops it gracefully (bot.jobs.supervisor)
        ctx={
            "resources": resources,
            "metrics": metrics,
            "inbound": inbound,
            APPLIER: applier,
            DELIVERY_GATE: asyncio.Semaphore(settings.worker_concurrency),
        },
        on_startup=start_heartbeat,
        job_serializer=json_serializer,
        job_deserializer=json_deserializer,
        poll_delay=min(0.05, settings.worker_poll_delay) if burst else settings.worker_poll_delay,
        max_jobs=settings.worker_max_jobs,
        max_tries=20,
        keep_result=0,
        job_timeout=60,
        health_check_interval=60,
    )


async def stop_worker(worker: Worker) -> None:
    """Stop a worker that shares its Redis pool with the web app (``Worker.close`` would close it).

    Jobs cut short are run again by arq (at-least-once); delivery claims make that harmless.
    """
    if worker.main_task is not None:
        await cancel_until_done(worker.main_task)
    await asyncio.gather(*(cancel_until_done(task) for task in worker.tasks.values()), return_exceptions=True)


def deliver_here(worker: Worker, resources: Resources) -> LocalDelivery:
    """This worker sends the rows of the events it applies itself, at once (``bot.outbox.local``),
    with its delivery gate and metrics; ``close`` it when the worker stops."""
    ctx = worker.ctx
    local = LocalDelivery(
        ctx, ctx["metrics"].counted(deliver_batch), timeout=3 * resources.settings.delivery_lease_seconds
    )
    resources.deliver_here = local.submit
    return local
