"""The figures of the web path: 说不 submissions and card clicks as WeCom sends them (encrypted, to
`/wecom/callback` of `tiji serve`), each next to the reference server measured just before it, and
click → next card at the fake WeCom."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import asyncpg

from bench.environment import ORG, Processes
from bench.report import Row, latency_summary, ms, percentile
from tests.fakes.wecom_api import Delivery
from tests.support.wecom_traffic import CALLBACK, FORM, Callback, WeComTraffic, button_key

SUBMISSIONS = 3600
SUBMIT_CONCURRENCY = 32
CLICKS = 1200
CLICK_CONCURRENCY = 16
RATE = 200
RATE_SECONDS = 10
LATENCY_SAMPLES = 100
ROOT = str(Path(__file__).resolve().parents[1])


@dataclass(frozen=True)
class Load:
    elapsed: float
    latencies: list[float]
    statuses: list[int]

    @property
    def per_second(self) -> float:
        return len(self.statuses) / self.elapsed

    @property
    def failed(self) -> int:
        return sum(1 for s in self.statuses if s != 200)


async def load(
    p: Processes,
    base_url: str,
    requests: Sequence[tuple[str, Callback]],
    *,
    concurrency: int = 0,
    rate: float = 0,
) -> Load:
    """Run ``bench.load`` in a process of its own against ``base_url``."""
    spec = {
        "base_url": base_url,
        "mode": "rate" if rate else "closed",
        "concurrency": concurrency,
        "rate": rate,
        "requests": [
            {"path": path, "query": c.query, "body": base64.b64encode(c.body).decode()}
            for path, c in requests
        ],
    }
    spec_path, out_path = p.workdir / "load-spec.json", p.workdir / "load-out.json"
    spec_path.write_text(json.dumps(spec))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", str(spec_path), str(out_path), cwd=ROOT
    )
    if await proc.wait() != 0:
        raise RuntimeError("the load generator failed")
    result = json.loads(out_path.read_text())
    return Load(result["elapsed"], result["latencies"], result["statuses"])


def to_reference(callbacks: Sequence[Callback]) -> list[tuple[str, Callback]]:
    """The same bodies, posted to the reference server's INSERT endpoint."""
    return [("/insert", Callback({}, c.body)) for c in callbacks]


def to_tiji(callbacks: Sequence[Callback]) -> list[tuple[str, Callback]]:
    return [(CALLBACK, c) for c in callbacks]


async def count(database_url: str, query: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval(query))
    finally:
        await conn.close()


async def until_counted(database_url: str, query: str, expected: int, within: float = 300) -> int:
    """Until ``query`` counts ``expected`` rows, or it stops growing for 15 s, or ``within`` passes
    (an answered callback may still be waiting for the worker to apply it)."""
    deadline, last, still_since = time.monotonic() + within, -1, time.monotonic()
    while True:
        n = await count(database_url, query)
        if n >= expected or time.monotonic() > deadline:
            return n
        if n != last:
            last, still_since = n, time.monotonic()
        elif time.monotonic() - still_since > 15:
            return n
        await asyncio.sleep(0.1)


@dataclass(frozen=True)
class Applied:
    """How many of the answered events reached the database, and when the last one did."""

    stored: int
    seconds: float  # from the first request until the count was complete (or stopped growing)

    def summary(self, expected: int, noun: str) -> str:
        rate = self.stored / self.seconds if self.seconds else float("inf")
        return f"{self.stored:,} of {expected:,} {noun} in the database {self.seconds:.1f} s after the first request ({rate:,.0f}/s)"


async def applied(database_url: str, query: str, before: int, expected: int, started: float) -> Applied:
    n = await until_counted(database_url, query, before + expected) - before
    return Applied(n, time.monotonic() - started)


async def settled(database_url: str, within: float = 600) -> bool:
    """Until no outbox row is pending (everything delivered or failed)."""
    pending = "SELECT count(*) FROM outbox WHERE status = 'pending'"
    deadline = time.monotonic() + within
    while await count(database_url, pending):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


def head_cards(sent: list[Delivery]) -> list[Delivery]:
    heads = {head for _, head, _ in ORG.submitters()}
    return [d for d in sent if d.msgtype == "template_card" and d.touser in heads]


async def submissions(p: Processes, traffic: WeComTraffic) -> Row:
    staff = [member for member, _, _ in ORG.submitters()]
    callbacks = [traffic.text(staff[i % len(staff)], FORM) for i in range(SUBMISSIONS)]
    reference = await load(p, p.reference.base_url, to_reference(callbacks), concurrency=SUBMIT_CONCURRENCY)
    matters = "SELECT count(*) FROM matter"
    before = await count(p.database_url, matters)
    started = time.monotonic()
    tiji = await load(p, p.web.base_url, to_tiji(callbacks), concurrency=SUBMIT_CONCURRENCY)
    done = await applied(p.database_url, matters, before, SUBMISSIONS, started)
    failures = SUBMISSIONS - done.stored
    share = tiji.per_second / reference.per_second
    return Row(
        f"WeCom-encrypted `说不` submissions, {SUBMISSIONS:,} at {SUBMIT_CONCURRENCY} concurrent",
        f"answered {tiji.per_second:,.0f} req/s ({share:.0%}), {latency_summary(tiji.latencies)}, "
        f"{tiji.failed} non-200; {done.summary(SUBMISSIONS, 'matters')}, {failures} not stored",
        f"INSERT: {reference.per_second:,.0f} req/s, {latency_summary(reference.latencies)}",
        "≥ 30% of the INSERT req/s; 0 failures at 32 concurrent",
        share >= 0.30 and failures == 0 and tiji.failed == 0,
    )


def clicks_on(traffic: WeComTraffic, cards: Sequence[Delivery], text: str) -> list[Callback]:
    return [traffic.click(c.touser, c, button_key(c, text)) for c in cards]


async def clicks(p: Processes, traffic: WeComTraffic, cards: Sequence[Delivery]) -> Row:
    callbacks = clicks_on(traffic, cards, "能办")
    reference = await load(p, p.reference.base_url, to_reference(callbacks), concurrency=CLICK_CONCURRENCY)
    decided = "SELECT count(*) FROM decision_step WHERE status = 'decided'"
    before = await count(p.database_url, decided)
    started = time.monotonic()
    tiji = await load(p, p.web.base_url, to_tiji(callbacks), concurrency=CLICK_CONCURRENCY)
    done = await applied(p.database_url, decided, before, len(cards), started)
    stored = done.stored
    share = tiji.per_second / reference.per_second
    return Row(
        f"WeCom-encrypted `template_card_event` clicks, {len(cards):,} distinct matters at {CLICK_CONCURRENCY} concurrent",
        f"answered {tiji.per_second:,.0f} req/s ({share:.0%}), {latency_summary(tiji.latencies)}, "
        f"{tiji.failed} non-200; {done.summary(len(cards), 'decisions')}, {len(cards) - stored} not stored",
        f"INSERT: {reference.per_second:,.0f} req/s, {latency_summary(reference.latencies)}",
        "≥ 40% of the INSERT req/s",
        share >= 0.40 and stored == len(cards),
    )


async def clicks_at_rate(p: Processes, traffic: WeComTraffic, cards: Sequence[Delivery]) -> Row:
    callbacks = clicks_on(traffic, cards, "能办")
    reference = await load(p, p.reference.base_url, to_reference(callbacks), rate=RATE)
    decided = "SELECT count(*) FROM decision_step WHERE status = 'decided'"
    before = await count(p.database_url, decided)
    started = time.monotonic()
    tiji = await load(p, p.web.base_url, to_tiji(callbacks), rate=RATE)
    done = await applied(p.database_url, decided, before, len(cards), started)
    p99 = percentile(tiji.latencies, 99)
    return Row(
        f"the same clicks at a fixed {RATE}/s for {len(cards) / RATE:.0f} s",
        f"answered {tiji.per_second:,.0f} req/s, {latency_summary(tiji.latencies)}, {tiji.failed} non-200; "
        f"{done.summary(len(cards), 'decisions')}",
        f"INSERT at {RATE}/s: {latency_summary(reference.latencies)}",
        "p99 ≤ 100 ms",
        p99 <= 0.100 and tiji.failed == 0 and done.stored == len(cards),
    )


async def click_to_next_card(p: Processes, traffic: WeComTraffic, cards: Sequence[Delivery]) -> Row:
    """One click at a time (提级): from the POST until the deputy's card reaches the fake WeCom."""
    deputies = {deputy for _, _, deputy in ORG.submitters()}
    fake = p.wecom.api

    def deputy_cards() -> int:
        return sum(1 for d in fake.sent if d.msgtype == "template_card" and d.touser in deputies)

    samples: list[float] = []
    async with aiohttp.ClientSession() as http:
        for callback in clicks_on(traffic, cards, "提级"):
            before = deputy_cards()
            t0 = time.perf_counter()
            async with http.post(p.web.base_url + CALLBACK, params=callback.query, data=callback.body) as r:
                await r.read()
            deadline = t0 + 10
            while deputy_cards() == before and time.perf_counter() < deadline:  # noqa: ASYNC110 (the fake's record is the signal)
                await asyncio.sleep(0.002)
            samples.append(time.perf_counter() - t0)
    p95 = percentile(samples, 95)
    return Row(
        f"click (提级) → the deputy's card at the fake WeCom, {len(samples)} one at a time",
        f"p50 {ms(percentile(samples, 50))}, p95 {ms(p95)}",
        "—",
        "p95 ≤ 300 ms",
        p95 <= 0.300,
    )
