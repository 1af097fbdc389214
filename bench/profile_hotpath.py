"""Profile the two hot paths — 说不 submissions and decision-card taps — through the real router on
a database of its own, counting SQL statements and this process's CPU milliseconds per event (and
optionally under pyinstrument).

Run: ``python -m bench.profile_hotpath --postgres postgres://postgres@127.0.0.1:5432/postgres``
(it creates and drops a database ``tiji_profile_<pid>`` on that server; without ``--postgres`` it
uses a temporary SQLite file). ``--profile out.html`` (or ``out.txt``) writes a pyinstrument report of the taps (``--phase
submissions``: from the submissions on)
(``pip install pyinstrument`` first). ``--concurrency`` events are in flight at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient

from bot.clock import SimClock
from bot.events import CardAction, Reply, Sender, TextMessage
from bot.org import import_org
from bot.runtime.db import tortoise_config
from bot.runtime.redis_clients import app_redis, arq_redis
from bot.runtime.resources import Resources
from bot.settings import Settings
from handlers.router import Router
from models.cards import CardInstance
from models.enums import CardKind, Platform, StepStatus
from models.matter import DecisionStep, Matter
from models.messaging import InboxEntry
from models.org import Person

EXAMPLE_ORG = Path(__file__).resolve().parents[1] / "examples" / "org.yaml"
FORM = "说不\n服务对象：某公司{n}\n联系电话：13800001111\n事项：道路运输经营许可\n拟说不理由：材料不全"
STATEMENTS: Counter[str] = Counter()


def _count_statements() -> None:
    """Count every statement tortoise sends, by its first word (SELECT, INSERT, UPDATE …)."""
    for name in ("execute_query", "execute_insert", "execute_query_dict", "execute_many"):
        _wrap(BaseDBAsyncClient, name)


def _wrap(cls: type, name: str) -> None:
    for sub in _subclasses(cls):
        original = sub.__dict__.get(name)
        if original is None or getattr(original, "_counted", False):
            continue

        async def counted(self: Any, query: str, *args: Any, _original: Any = original) -> Any:
            STATEMENTS[query.lstrip().split(" ", 1)[0].upper()] += 1
            return await _original(self, query, *args)

        counted._counted = True  # type: ignore[attr-defined]
        setattr(sub, name, counted)


def _subclasses(cls: type) -> Iterator[type]:
    yield cls
    for sub in cls.__subclasses__():
        yield from _subclasses(sub)


@contextlib.asynccontextmanager
async def _database(postgres: str | None) -> AsyncIterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite://{tmp}/profile.sqlite3"
        return
    name = f"tiji_profile_{os.getpid()}"
    admin = await asyncpg.connect(postgres)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(postgres)._replace(path=f"/{name}"))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _timed(label: str, events: list[Callable[[], Awaitable[Reply]]], concurrency: int) -> list[Reply]:
    STATEMENTS.clear()
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(event: Callable[[], Awaitable[Reply]]) -> Reply:
        async with gate:
            t0 = time.perf_counter()
            reply = await event()
            latencies.append(time.perf_counter() - t0)
            return reply

    start, cpu = time.perf_counter(), time.process_time()
    replies = await asyncio.gather(*(one(e) for e in events))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    failed = [r.message for r in replies if not r.ok]
    latencies.sort()
    per_event = {k: round(v / len(events), 1) for k, v in sorted(STATEMENTS.items())}
    print(
        f"{label}: {len(events) / elapsed:.0f}/s, p50 {statistics.median(latencies) * 1000:.1f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms, failed {len(failed)}, "
        f"CPU {cpu * 1000 / len(events):.2f} ms per event (this process), "
        f"statements per event {sum(STATEMENTS.values()) / len(events):.1f} {per_event}"
    )
    for message in sorted(set(failed))[:3]:
        print("   e.g.", message)
    return replies


async def run(args: argparse.Namespace) -> None:
    async with _database(args.postgres) as url, aiohttp.ClientSession() as http:
        await Tortoise.init(config=tortoise_config(url + args.pool))
        await Tortoise.generate_schemas()
        await import_org(EXAMPLE_ORG.read_text(encoding="utf-8"))
        _count_statements()
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(
                _env_file=None,
                data_dir=Path(data_dir),
                database_url=url,
                redis_url=args.redis,
                simulator=True,
            )  # type: ignore[call-arg]
            redis = app_redis(args.redis)
            arq = arq_redis(args.redis) if args.arq else None
            resources = Resources(settings=settings, clock=SimClock(), redis=redis, http=http, arq=arq)
            router = Router(resources)
            staff = [
                p.handle
                for p in await Person.filter(department_id__isnull=False)
                if "staff" in (p.roles or [])
            ]

            def submission(n: int) -> Callable[[], Awaitable[Reply]]:
                sender = Sender(Platform.SIMULATOR, staff[n % len(staff)])
                return lambda: router.handle(TextMessage(sender, FORM.format(n=n), f"prof:{uuid.uuid4()}"))

            await _timed("reference: one INSERT", [_insert(n) for n in range(args.n)], args.concurrency)
            profiler = _profiler(args.profile if args.phase == "submissions" else None)
            await _timed("submissions", [submission(n) for n in range(args.n)], args.concurrency)
            taps = await _taps(router)
            profiler = profiler or _profiler(args.profile if args.phase == "taps" else None)
            await _timed("taps (能办/提级, distinct matters)", taps, args.concurrency)
            if profiler is not None:
                profiler.stop()
                report = profiler.output_html() if args.profile.endswith(".html") else profiler.output_text()
                Path(args.profile).write_text(report, encoding="utf-8")  # noqa: ASYNC240
            print("matters", await Matter.all().count())
            await redis.aclose()
            if arq is not None:
                await arq.aclose()
        await Tortoise.close_connections()


def _insert(n: int) -> Callable[[], Awaitable[Reply]]:
    """The reference: one tortoise INSERT, as the bench's reference endpoint does."""

    async def insert() -> Reply:
        await InboxEntry.create(key=f"reference:{n}:{uuid.uuid4()}", received_at=dt.datetime.now(dt.UTC))
        return Reply(True, "")

    return insert


async def _taps(router: Router) -> list[Callable[[], Awaitable[Reply]]]:
    taps = []
    steps = await DecisionStep.filter(status=StepStatus.PENDING).prefetch_related("approver")
    for index, step in enumerate(steps):
        card = await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id).first()
        if card is None:
            continue
        key = "can_do" if index % 2 else "escalate"
        event = CardAction(
            Sender(Platform.SIMULATOR, step.approver.handle), card.ref, key, f"tap:{uuid.uuid4()}"
        )
        taps.append(lambda event=event: router.handle(event))
    return taps


def _profiler(path: str | None) -> Any:
    if not path:
        return None
    from pyinstrument import Profiler  # noqa: PLC0415 (optional, installed by hand)

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="server URL to create a scratch database on")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--pool", default="", help="e.g. ?minsize=4&maxsize=16")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--arq", action="store_true", help="nudge delivery through arq (as serve does)")
    parser.add_argument("--profile", help="write a pyinstrument report here (.html, or text)")
    parser.add_argument(
        "--phase", choices=("submissions", "taps"), default="taps", help="what --profile covers"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
