"""Throughput of the core path on this machine: the pure workflow, chat events through the router
(one transaction each, SQLite or PostgreSQL), and delivery through the real arq worker.

Run: `make bench` (SQLite), or `TIJI_BENCH_DATABASE_URL=postgres://… make bench` (the Makefile
passes it as `--database-url`; the benchmark drops that database's public schema, so it is never
the product's TIJI_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from tortoise import Tortoise

from bot.clock import SimClock
from bot.events import Sender, TextMessage
from bot.matters.workflow import Action, Chain, Command, MatterState, MatterView, StepStatus, StepView, apply
from bot.org import import_org
from bot.runtime.db import tortoise_config
from bot.runtime.redis_server import redis_url
from bot.runtime.resources import ROUTER
from bot.settings import Settings
from tests.support.stack import running_stack

EXAMPLE_ORG = Path(__file__).resolve().parents[1] / "examples" / "org.yaml"
FORM = "说不\n服务对象：某公司\n联系电话：13800001111\n事项：道路运输经营许可\n拟说不理由：材料不全"


def bench_workflow(n: int = 50_000) -> tuple[str, float, str]:
    chain = Chain({2: (2,), 3: (3,), 4: (4,)})
    view = MatterView(MatterState.PENDING, 2, 1, chain, (StepView(10, 2, 2, status=StepStatus.PENDING),))
    command = Command(Action.ESCALATE, 2, 10)
    start = time.perf_counter()
    for _ in range(n):
        apply(view, command)
    elapsed = time.perf_counter() - start
    return ("workflow.apply (pure)", n / elapsed, f"{elapsed / n * 1e6:.1f} µs each")


async def bench_events(database_url: str, data_dir: Path, n: int = 200) -> list[tuple[str, float, str]]:
    async with redis_url(None, data_dir) as url:
        settings = Settings(
            _env_file=None, data_dir=data_dir, database_url=database_url, redis_url=url, simulator=True
        )  # type: ignore[call-arg]
        await Tortoise.init(config=tortoise_config(database_url))
        if database_url.startswith("postgres"):
            await Tortoise.get_connection("default").execute_script(
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
            )
        await Tortoise.generate_schemas()
        org = await asyncio.to_thread(EXAMPLE_ORG.read_text, encoding="utf-8")
        await import_org(org)
        clock = SimClock()
        rows: list[tuple[str, float, str]] = []
        async with running_stack(settings, clock) as stack:
            router = stack.app[ROUTER]
            latencies = []
            start = time.perf_counter()
            for _ in range(n):
                t0 = time.perf_counter()
                await router.handle(
                    TextMessage(Sender("simulator", "zhangwei"), FORM, f"bench:{uuid.uuid4()}")
                )
                latencies.append(time.perf_counter() - t0)
            elapsed = time.perf_counter() - start
            p50 = statistics.median(latencies) * 1000
            p99 = sorted(latencies)[int(len(latencies) * 0.99) - 1] * 1000
            rows.append(("submit via router (1 txn)", n / elapsed, f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"))
            start = time.perf_counter()
            sent = await stack.drain()
            elapsed = time.perf_counter() - start
            rows.append(("deliver via arq worker", sent / elapsed, f"{sent} outbox rows"))
        await Tortoise.close_connections()
        return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Throughput of tiji's core path.")
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temp dir)")
    url: str | None = parser.parse_args(argv).database_url
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        database_url = url or f"sqlite://{data_dir / 'bench.sqlite3'}"
        rows = [bench_workflow(), *asyncio.run(bench_events(database_url, data_dir))]
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"tiji bench ({backend}, {os.cpu_count()} CPUs)")
    print(f"{'what':<30} {'per second':>12}  notes")
    for name, rate, note in rows:
        print(f"{name:<30} {rate:>12,.0f}  {note}")


if __name__ == "__main__":
    main()
