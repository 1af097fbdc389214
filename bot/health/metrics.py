"""Prometheus metrics, one ``CollectorRegistry`` per process (no module-level collectors).

- the web process counts callbacks by platform and result, and at each scrape reads from the
  database and Redis what every process shares: the outbox by status (deliveries by result), its
  backlog and the age of its oldest pending row, the reminder lag, the workers alive, the DingTalk
  Stream state and whether the database and Redis answer;
- a worker counts the deliveries it ran, by result;
- the DingTalk Stream process says whether its connection is up.

Each process serves its own registry at ``/metrics`` (the web on its port; a worker and the stream
process on ``TIJI_METRICS_PORT``), so counters of several workers add up in Prometheus.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from arq import Retry
from arq.worker import Function, func
from prometheus_client import CollectorRegistry, Counter, Gauge
from tortoise.functions import Count

from bot.health.checks import CHECK_TIMEOUT, uses_stream
from bot.health.heartbeat import passes_age, workers_alive
from bot.inbound.figures import inbound_figures
from bot.messengers.dingtalk.health import stream_status
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus

Job = Callable[..., Awaitable[str | dict[str, int]]]


class Metrics(Protocol):
    """What ``/metrics`` serves: a registry, brought up to date just before each scrape."""

    registry: CollectorRegistry

    async def refresh(self, resources: Resources) -> None: ...


class WebMetrics:
    """The web process's registry: callbacks counted as they come, shared state read at scrape."""

    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.callbacks = Counter(
            "tiji_callbacks", "Platform callbacks by platform and result", ["platform", "result"],
            registry=registry,
        )  # fmt: skip
        self.up = Gauge(
            "tiji_dependency_up", "1 when the dependency answers", ["dependency"], registry=registry
        )
        self.outbox = Gauge("tiji_outbox_messages", "Outbox rows by status", ["status"], registry=registry)
        self.backlog = Gauge("tiji_outbox_backlog", "Outbox rows waiting to be delivered", registry=registry)
        self.oldest = Gauge(
            "tiji_outbox_oldest_pending_seconds",
            "Age of the oldest undelivered outbox row",
            registry=registry,
        )
        self.inbound = Gauge(
            "tiji_inbound_events", "Stored inbound events not applied, by state (pending, failed)", ["state"],
            registry=registry,
        )  # fmt: skip
        self.inbound_oldest = Gauge(
            "tiji_inbound_oldest_pending_seconds", "Age of the oldest inbound event not applied yet",
            registry=registry,
        )  # fmt: skip
        self.reminder_lag = Gauge(
            "tiji_reminder_lag_seconds",
            "Seconds since the scheduled passes (reminders, alerts, digests) last ran; about 60 when healthy",
            registry=registry,
        )
        self.workers = Gauge("tiji_workers_alive", "Workers whose heartbeat is fresh", registry=registry)
        self.stream = Gauge(
            "tiji_dingtalk_stream_connected", "1 when the DingTalk Stream connection is up", registry=registry
        )
        self._callback_counts: dict[tuple[str, str], Any] = {}

    def count_callback(self, platform: str, result: str) -> None:
        """One more callback of ``platform`` answered as ``result``. The labelled child is looked
        up once per pair (``labels()`` validates and locks on every call) and kept."""
        child = self._callback_counts.get((platform, result))
        if child is None:
            child = self._callback_counts[platform, result] = self.callbacks.labels(platform, result)
        child.inc()

    async def refresh(self, resources: Resources) -> None:
        database_ok, redis_ok = await asyncio.gather(
            self._refresh_outbox(resources), self._refresh_redis(resources)
        )
        self.up.labels("database").set(int(database_ok))
        self.up.labels("redis").set(int(redis_ok))

    async def _refresh_outbox(self, resources: Resources) -> bool:
        try:
            counts, oldest = await asyncio.wait_for(_outbox_figures(), CHECK_TIMEOUT)
        except Exception:
            return False
        for status in OutboxStatus:
            self.outbox.labels(status.value).set(counts.get(status.value, 0))
        self.backlog.set(counts.get(OutboxStatus.PENDING.value, 0))
        age = 0.0 if oldest is None else (resources.clock.now() - oldest).total_seconds()
        self.oldest.set(max(0.0, age))
        try:
            inbound = await asyncio.wait_for(inbound_figures(), CHECK_TIMEOUT)
        except Exception:
            return False
        self.inbound.labels("pending").set(inbound.pending)
        self.inbound.labels("failed").set(inbound.failed)
        waited = (
            0.0
            if inbound.oldest_pending is None
            else (resources.clock.now() - inbound.oldest_pending).total_seconds()
        )
        self.inbound_oldest.set(max(0.0, waited))
        return True

    async def _refresh_redis(self, resources: Resources) -> bool:
        stale = resources.settings.heartbeat_stale_seconds
        try:
            beats = await asyncio.wait_for(workers_alive(resources.redis, stale), CHECK_TIMEOUT)
            lag = await asyncio.wait_for(passes_age(resources.redis), CHECK_TIMEOUT)
            status = await asyncio.wait_for(stream_status(resources), CHECK_TIMEOUT)
        except Exception:
            return False
        self.workers.set(len(beats))
        if lag is not None:
            self.reminder_lag.set(lag)
        if uses_stream(resources):
            self.stream.set(int(bool(status["connected"])))
        return True


async def _outbox_figures() -> tuple[dict[str, int], dt.datetime | None]:
    rows = await OutboxMessage.annotate(n=Count("id")).group_by("status").values("status", "n")
    counts = {str(getattr(r["status"], "value", r["status"])): int(r["n"]) for r in rows}
    oldest = await OutboxMessage.filter(status=OutboxStatus.PENDING).order_by("created_at").first()
    return counts, (oldest.created_at if oldest else None)


class WorkerMetrics:
    """A worker's registry: the deliveries it ran, by result."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "tiji_deliveries",
            "Delivery jobs run by this worker, by result",
            ["result"],
            registry=self.registry,
        )

    async def refresh(self, resources: Resources) -> None:
        return None  # counters only: they are current at every scrape

    def counting(self, job: Job, *, timeout: float | None = None) -> Function:
        """``job`` as an arq function of the same name that counts each run's result (``counted``)."""
        return func(self.counted(job), name=job.__name__, timeout=timeout)

    def counted(self, job: Job) -> Callable[..., Coroutine[Any, Any, Any]]:
        """``job``, counting each run's result: what the job returned (``sent``, ``failed``,
        ``skipped``, ``not claimed``; a batch job returns a count per result), ``retry`` or
        ``error``. Also for the deliveries a worker runs itself (``bot.outbox.local``)."""

        async def run(ctx: dict[str, Any], *args: Any) -> Any:
            try:
                result = await job(ctx, *args)
            except Retry:
                self.deliveries.labels("retry").inc()
                raise
            except Exception:
                self.deliveries.labels("error").inc()
                raise
            counts = result if isinstance(result, dict) else {result: 1}
            for outcome, n in counts.items():
                if n:
                    self.deliveries.labels(str(outcome).replace(" ", "_")).inc(n)
            return result

        return run


class StreamMetrics:
    """The DingTalk Stream process's registry: whether its connection is up (read at scrape)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.connected = Gauge(
            "tiji_dingtalk_stream_connected",
            "1 when the DingTalk Stream connection is up",
            registry=self.registry,
        )

    async def refresh(self, resources: Resources) -> None:
        try:
            status = await asyncio.wait_for(stream_status(resources), CHECK_TIMEOUT)
        except Exception:
            self.connected.set(0)
            return
        self.connected.set(int(bool(status["connected"])))
