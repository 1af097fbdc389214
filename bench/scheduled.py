"""The figures of the worker's side: delivery through the running `tiji worker`, one reminder pass
over 100,000 open matters, the quarterly summary over 1,000,000 matters, and the processes' memory."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import time

import asyncpg
from tortoise.transactions import in_transaction

from bench.environment import Processes
from bench.report import Row
from bench.seed import clone_matters, make_due
from bench.web_figures import ROOT, settled
from bot.clock import SystemClock
from bot.messengers.registry import build_messengers
from bot.outbox.batch import OutboxBatch
from bot.runtime.lifecycle import running_resources
from bot.settings import Settings
from models.org import Organisation, Person
from tests.fakes.wecom_api import FakeWeCom

MESSAGES, PEOPLE = 10_000, 500
OPEN, DUE, MORE_DUE = 100_000, 1_000, 10_000
SUMMARY_MATTERS, SUMMARY_SECTIONS = 1_000_000, 40
MB = 1024 * 1024
PASS_LIMIT = 900  # seconds


LIMIT_WINDOW = 62.0  # seconds: WeCom's minute, plus the 2 s the worker's limiter holds it longer


async def quiet_windows(fake: FakeWeCom, users: list[str]) -> float:
    """Wait until none of ``users`` got a message at the fake within ``LIMIT_WINDOW``; the wait."""
    last = max((t for user in users for t in fake.member_log(user)), default=0.0)
    wait = max(0.0, last + LIMIT_WINDOW - fake.now())
    if wait:
        print(
            f"  （等待 {wait:.0f} 秒：这些人一分钟内已收到消息，企业微信每人每分钟 30 条）",
            file=sys.stderr,
            flush=True,
        )
        await asyncio.sleep(wait)
    return wait


async def delivery(p: Processes, messages: int | None = None, run: str = "") -> Row:
    """10,000 texts (``messages``) to 500 people written to the outbox as the product writes them,
    nudged, and delivered by the running worker; timed from the first nudge to the last call at the
    fake. ``run`` tells runs in one environment apart (their dedupe keys and texts)."""
    messages = messages or MESSAGES
    env = p.env()
    settings = Settings(_env_file=None, **{k[5:].lower(): v for k, v in env.items() if k.startswith("TIJI_")})  # type: ignore[call-arg]
    fake = p.wecom.api
    marker = f"【基准{run}】"
    async with running_resources(settings, SystemClock(), build_messengers) as resources:
        organisation = await Organisation.get(code="big")
        people = await Person.filter(organisation_id=organisation.id).order_by("id").limit(PEOPLE)
        # The earlier rows sent cards to some of these people within the last minute: WeCom's 30 a
        # minute per member would then delay their 20 texts, and the figure would measure the
        # earlier rows' traffic, not the worker. Start when every window is empty.
        await quiet_windows(fake, [str(person.wecom_userid) for person in people])
        batches = []
        for chunk in range(0, messages, 1000):
            batch = OutboxBatch(settings, organisation, resources.clock.now())
            async with in_transaction():
                for i in range(chunk, min(chunk + 1000, messages)):
                    await batch.text(
                        people[i % PEOPLE], f"{marker}第 {i} 条", dedupe_key=f"bench:delivery{run}:{i}"
                    )
            batches.append(batch)
        before, seen, sent = len(fake.dropped), 0, 0
        start = time.perf_counter()
        for batch in batches:
            await batch.nudge(resources)

        # Counted as they arrive: the fake serves in this process, and rescanning its whole record
        # every poll (thousands of earlier cards as well) would slow the fake as the count grows.
        # The first poll reads it all: the sweeper may have sent some rows before the nudges.
        deadline = start + 600
        while sent < messages and time.perf_counter() < deadline:
            new, seen = fake.sent[seen:], len(fake.sent)
            sent += sum(1 for d in new if d.msgtype == "text" and d.content.startswith(marker))
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - start
    dropped = len(fake.dropped) - before
    rate = sent / elapsed
    return Row(
        f"delivery by the running worker, {messages:,} texts to {PEOPLE} people",
        f"{rate:,.0f} msgs/s ({sent:,} in {elapsed:.1f} s), {dropped} dropped by the per-member limit",
        "—",
        "≥ 300 msgs/s, limits honoured",
        rate >= 300 and sent == messages and dropped == 0,
    )


async def run_pass(p: Processes) -> dict[str, float]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.passes", "reminders", "big", cwd=ROOT, env=p.env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(PASS_LIMIT):
            out, err = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise PassFailed(f"the pass ran over {PASS_LIMIT} s") from None
    if proc.returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise PassFailed(f"the pass crashed: {lines[-1] if lines else proc.returncode}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


class PassFailed(RuntimeError):
    """The pass process crashed or ran over its bound (reported in the table as the figure)."""


async def template(conn: asyncpg.Connection, state: str) -> int:
    matter_id = await conn.fetchval(
        "SELECT min(m.id) FROM matter m JOIN organisation o ON o.id = m.organisation_id "
        "WHERE o.code = 'big' AND m.state = $1 AND m.level = 2",
        state,
    )
    if matter_id is None:
        raise RuntimeError(f"no {state} matter written by the real flow to copy")
    return int(matter_id)


WORKER_PASS_SECOND = 5  # the running worker's own pass (bot.jobs.worker: cron due_work, second 5)


async def clear_of_the_worker_pass() -> None:
    """Wait until the running worker's own minute pass is well behind and not due for a while:
    rows made due just before it would be partly sent by it, not by the pass being timed."""
    second = dt.datetime.now(dt.UTC).second
    if not WORKER_PASS_SECOND + 5 <= second < WORKER_PASS_SECOND + 35:
        await asyncio.sleep((WORKER_PASS_SECOND + 5 - second) % 60)


async def reminders(p: Processes) -> Row:
    """100,000 open matters copied from one the flow wrote; the pass with none, 1,000, then 10,000 more due."""
    conn = await asyncpg.connect(p.database_url)
    try:
        first, _ = await clone_matters(
            conn,
            matter_id=await template(conn, "pending"),
            count=OPEN,
            first_seq=10_000_000,
            shift="interval '0'",
        )
        await settled(p.database_url)
        # A new step's next_reminder_at is its creation (the ladder's first look, bot.matters.steps):
        # the first pass after the copy looks at all of them once; the figures are the passes after.
        await run_pass(p)
        idle = await run_pass(p)
        await clear_of_the_worker_pass()
        await make_due(conn, first, first + DUE - 1, "3 days")
        due = await run_pass(p)
        await clear_of_the_worker_pass()
        await make_due(conn, first + DUE, first + DUE + MORE_DUE - 1, "3 days")
        more = await run_pass(p)
    finally:
        await conn.close()
    ok = due["seconds"] <= 1.0 and more["seconds"] > due["seconds"] > idle["seconds"]
    return Row(
        f"reminder pass, {OPEN:,} open: {DUE:,} due, then {MORE_DUE:,} more due",
        f"{due['seconds']:.2f} s ({due['outbox_rows']:,.0f} messages, CPU {due['cpu_seconds']:.2f} s); "
        f"{more['seconds']:.2f} s ({more['outbox_rows']:,.0f} messages, CPU {more['cpu_seconds']:.2f} s)",
        f"0 due: {idle['seconds']:.2f} s (CPU {idle['cpu_seconds']:.2f} s)",
        "≤ 1 s; cost follows the due rows",
        ok,
    )


def last_quarter(today: dt.date) -> tuple[str, dt.datetime]:
    """The last finished quarter's label (2026Q3) and its first moment in China time."""
    q = (today.month - 1) // 3
    year, q = (today.year, q) if q else (today.year - 1, 4)
    start = dt.datetime(year, 3 * (q - 1) + 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return f"{year}Q{q}", start


def _summary_process(env: dict[str, str], quarter: str, root: str = ROOT) -> tuple[float, int, int]:
    """`tiji digest --quarter Q --post` (the code of the worker's digest pass): seconds, its own
    peak RSS, exit code. Started through `bench.child_rss`: the ``ru_maxrss`` of a child this
    process forks would be at least this process's RSS (Linux keeps it through ``exec``).
    ``root``: the checkout whose code runs (`bench.summary_only` times another commit's beside this)."""
    command = [sys.executable, "-m", "bot.cli", "digest", "--quarter", quarter, "--post", "--org", "big"]
    launcher = [sys.executable, "-m", "bench.child_rss", "--limit", str(PASS_LIMIT), *command]
    env = {**env, "PYTHONPATH": root}
    done = subprocess.run(launcher, env=env, cwd=root, stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), int(result["peak_rss_bytes"]), int(result["exit"])


async def seed_summary(database_url: str) -> tuple[str, int]:
    """The summary's matters: `SUMMARY_MATTERS` copies of a resolved matter the flow wrote, spread
    over the last quarter and `SUMMARY_SECTIONS` sections. The quarter and how many are in it."""
    conn = await asyncpg.connect(database_url)
    quarter, starts = last_quarter(dt.datetime.now(dt.UTC).date())
    try:
        source = await template(conn, "resolved")
        submitted = await conn.fetchval("SELECT submitted_at FROM matter WHERE id = $1", source)
        back = int((starts - submitted).total_seconds())
        first, last = await clone_matters(
            conn, matter_id=source, count=SUMMARY_MATTERS, first_seq=20_000_000, sections=SUMMARY_SECTIONS,
            shift=f"make_interval(secs => {back} + (g.i % 7000000))",
        )  # fmt: skip
    finally:
        await conn.close()
    return quarter, last - first + 1


async def summary(p: Processes) -> Row:
    quarter, in_quarter = await seed_summary(p.database_url)
    seconds, rss, code = await asyncio.to_thread(_summary_process, p.env(), quarter)
    return Row(
        f"quarterly summary {quarter}, {in_quarter:,} matters over {SUMMARY_SECTIONS} sections (`tiji digest --post`)",
        f"{seconds:.1f} s, peak RSS {rss / MB:.0f} MB" + ("" if code == 0 else f", exit {code}"),
        "—",
        "≤ 10 s; RSS ≤ 150 MB",
        code == 0 and seconds <= 10 and rss <= 150 * MB,
    )


def memory(p: Processes) -> Row:
    web, work = p.web.rss(), p.worker.rss()
    return Row(
        "RSS of `tiji serve` and `tiji worker` after the runs; `tiji serve` → ready",
        f"web {web / MB:.0f} MB, worker {work / MB:.0f} MB; ready in {p.web.ready_after:.1f} s",
        f"reference server {p.reference.rss() / MB:.0f} MB",
        "≤ 150 MB each; ≤ 3 s",
        web <= 150 * MB and work <= 150 * MB and p.web.ready_after <= 3,
    )
