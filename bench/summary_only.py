"""The quarterly-summary row of `make bench` on its own, seeded once and timed as often as wanted,
one checkout's code beside another's on the same database (the A/B the machine's load needs).

    python -m bench.summary_only seed [--matters 1000000]   # prints the database's URL (kept)
    python -m bench.summary_only time --database-url URL [--root DIR …] [--rounds 3]
    python -m bench.summary_only drop --database-url URL    # only a tiji_bench_summary_* database

``seed`` creates a private database, starts what `make bench` starts (`bench.environment.running`),
writes and decides a few matters through `/wecom/callback` as WeCom would send them, then clones
them as `bench.scheduled.summary` does (1,000,000 over 40 sections). ``time`` runs `tiji digest
--quarter Q --post` of each ``--root`` (a checkout; default this one) in turn, round after round,
through `bench.child_rss`, after undoing the previous post (its DutyRun, outbox rows and report
tasks), and prints seconds and peak RSS of each run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import resource
import statistics
import sys
import tempfile
from pathlib import Path

import aiohttp
import asyncpg

from bench import scheduled
from bench.environment import ADMIN_URL, ORG, running
from bench.web_figures import ROOT, head_cards, settled
from tests.support.databases import create_database, database_name, drop_database
from tests.support.processes import FakeWeComServer, RedisServer, tiji_env
from tests.support.wecom_traffic import FORM, WeComTraffic, button_key, post

PREFIX = "tiji_bench_summary"
FLOW_MATTERS = 20  # written through the callback; the template is one of them


async def _until(predicate: object, within: float = 60) -> None:
    for _ in range(int(within / 0.1)):
        if predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the flow did not get there in time")


async def seed(matters: int) -> str:
    """A new database with the summary's matters; its URL (the caller drops it with ``drop``)."""
    url = await create_database(ADMIN_URL, prefix=PREFIX)
    scheduled.SUMMARY_MATTERS = matters
    with tempfile.TemporaryDirectory(prefix="tiji-summary-") as tmp:
        async with running(Path(tmp), url) as p, aiohttp.ClientSession() as http:
            traffic = WeComTraffic(p.wecom.api, p.wecom.signer)
            staff = [member for member, _, _ in ORG.submitters()]
            for i in range(FLOW_MATTERS):
                await post(http, p.web.base_url, traffic.text(staff[i * 7 % len(staff)], FORM))
            await _until(lambda: len(head_cards(p.wecom.api.sent)) >= FLOW_MATTERS)
            for card in head_cards(p.wecom.api.sent)[: FLOW_MATTERS // 2]:
                await post(http, p.web.base_url, traffic.click(card.touser, card, button_key(card, "能办")))
            await asyncio.sleep(2)
            await settled(url)
            quarter, in_quarter = await scheduled.seed_summary(url)
    print(f"{in_quarter:,} matters in {quarter}", file=sys.stderr)
    return url


async def undo_post(url: str, quarter: str) -> None:
    """Forget the quarter's post, so that the next ``--post`` posts again (and does all its work)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM duty_run WHERE kind = 'digest' AND period = $1", quarter)
        await conn.execute("DELETE FROM outbox WHERE dedupe_key LIKE $1", f"digest:{quarter}:%")
        await conn.execute("DELETE FROM report_task WHERE quarter = $1", quarter)
    finally:
        await conn.close()


async def time_roots(url: str, roots: list[str], rounds: int) -> None:
    quarter, _ = scheduled.last_quarter(dt.datetime.now(dt.UTC).date())
    results: dict[str, list[tuple[float, int]]] = {root: [] for root in roots}
    with tempfile.TemporaryDirectory(prefix="tiji-summary-") as tmp:
        redis = RedisServer.in_dir(Path(tmp))
        async with redis, FakeWeComServer() as wecom:
            env = tiji_env(Path(tmp) / "cli", database_url=url, redis_url=redis.url, wecom=wecom)
            for n in range(rounds):
                for root in roots:
                    await undo_post(url, quarter)
                    started = resource.getrusage(resource.RUSAGE_CHILDREN)
                    seconds, rss, code = await asyncio.to_thread(
                        scheduled._summary_process, env, quarter, root
                    )
                    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
                    # The launcher's CPU with the command's (the launcher's own is a few ms).
                    cpu = ended.ru_utime + ended.ru_stime - started.ru_utime - started.ru_stime
                    results[root].append((seconds, rss))
                    print(
                        f"round {n + 1} {root}: {seconds:.2f} s, CPU {cpu:.2f} s, "
                        f"peak RSS {rss / scheduled.MB:.0f} MB" + ("" if code == 0 else f", exit {code}"),
                        flush=True,
                    )
    for root, runs in results.items():
        times = [s for s, _ in runs]
        print(
            f"{root}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}), "
            f"peak RSS max {max(r for _, r in runs) / scheduled.MB:.0f} MB"
        )


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary_only", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--matters", type=int, default=scheduled.SUMMARY_MATTERS)
    timing = sub.add_parser("time")
    timing.add_argument("--database-url", required=True)
    timing.add_argument("--root", action="append", help="a checkout to run (repeatable); default this one")
    timing.add_argument("--rounds", type=int, default=3)
    dropping = sub.add_parser("drop")
    dropping.add_argument("--database-url", required=True)
    args = parser.parse_args()
    if args.command == "seed":
        print(asyncio.run(seed(args.matters)))
    elif args.command == "time":
        asyncio.run(time_roots(args.database_url, args.root or [ROOT], args.rounds))
    else:
        if not database_name(args.database_url).startswith(PREFIX):
            print(f"拒绝删除：只删除本工具建的 {PREFIX}_* 数据库", file=sys.stderr)
            return 2
        asyncio.run(drop_database(ADMIN_URL, args.database_url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
