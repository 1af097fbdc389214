"""`make bench`: tiji's figures on this machine against the targets of the Scale issue.

`tiji serve` and `tiji worker` run as real processes on PostgreSQL and a private redis-server, with
the fake WeCom API on a real port; every web figure stands next to a reference (aiohttp + one INSERT
on the same database) measured right before it. Prints one table, writes ``bench/results.md`` and
exits 1 when a target is missed.

Run: `make bench` (a private database on the machine's PostgreSQL, dropped afterwards), or
`make bench TIJI_BENCH_DATABASE_URL=postgres://…/empty_db` (used only if it has no tables; kept).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import scheduled, web_figures
from bench.environment import ADMIN_URL, Processes, Refused, bench_database, running
from bench.report import Row, header, table, write_results
from tests.support.wecom_traffic import WeComTraffic


async def measure(p: Processes, *, web_only: bool = False) -> list[Row]:
    traffic = WeComTraffic(p.wecom.api, p.wecom.signer)
    rows: list[Row] = []

    async def step(name: str, run: Callable[[], Awaitable[Row]]) -> None:
        print(f"测量：{name} …", file=sys.stderr, flush=True)
        try:
            rows.append(await run())
        except Exception as error:  # one broken figure is reported as missed; the rest still run
            traceback.print_exc()
            rows.append(Row(name, f"failed: {type(error).__name__}: {error}"[:200], "—", "—", False))
        print(f"  {rows[-1].figure}", file=sys.stderr, flush=True)

    await step("submissions", lambda: web_figures.submissions(p, traffic))
    await web_figures.settled(p.database_url)
    cards = web_figures.head_cards(p.wecom.api.sent)
    n, rate_n, latency_n = (
        web_figures.CLICKS,
        web_figures.RATE * web_figures.RATE_SECONDS,
        web_figures.LATENCY_SAMPLES,
    )
    # Distinct matters for each run, the latency samples first (if submissions were lost, the runs
    # with many clicks get fewer); the cards left unclicked are the reminder pass's open matters.
    latency_cards, cards = cards[:latency_n], cards[latency_n:-1]  # the last one is never clicked
    await step("clicks", lambda: web_figures.clicks(p, traffic, cards[:n]))
    await step(
        "clicks at a fixed rate", lambda: web_figures.clicks_at_rate(p, traffic, cards[n : n + rate_n])
    )
    if web_only:
        return rows
    await web_figures.settled(p.database_url)
    await step("click → next card", lambda: web_figures.click_to_next_card(p, traffic, latency_cards))
    await web_figures.settled(p.database_url)
    await step("delivery", lambda: scheduled.delivery(p))
    await step("reminder pass", lambda: scheduled.reminders(p))
    # The reminders' messages go out at WeCom's 30 a minute per member; the summary is timed on a
    # worker that has finished them (its own figure, not theirs).
    await web_figures.settled(p.database_url)
    await step("quarterly summary", lambda: scheduled.summary(p))
    # Memory right after the runs (the reminders' messages are still going out at WeCom's 30 a
    # minute per member, which takes minutes and is no figure of its own).

    async def memory() -> Row:
        return scheduled.memory(p)

    await step("memory and start-up", memory)
    return rows


async def bench(database_url: str | None, admin_url: str, *, web_only: bool = False) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="tiji-bench-") as tmp:
        async with bench_database(database_url, admin_url) as url, running(Path(tmp), url) as processes:
            return await measure(processes, web_only=web_only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="tiji's figures against the targets."
    )
    parser.add_argument(
        "--database-url", help="an EMPTY PostgreSQL database to use (kept); default: a private one"
    )
    parser.add_argument("--admin-url", default=ADMIN_URL, help="the server to create the private database on")
    parser.add_argument(
        "--quick", action="store_true", help="a small run to try the bench (not the issue's sizes)"
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="only the web rows (submissions and clicks, each with its reference); prints, writes nothing",
    )
    args = parser.parse_args(argv)
    if args.quick:
        web_figures.SUBMISSIONS, web_figures.CLICKS, web_figures.RATE_SECONDS = 500, 150, 1
        web_figures.LATENCY_SAMPLES = 20
        scheduled.MESSAGES, scheduled.OPEN, scheduled.DUE, scheduled.MORE_DUE = 1000, 5000, 100, 1000
        scheduled.SUMMARY_MATTERS = 20_000
    try:
        rows = asyncio.run(bench(args.database_url, args.admin_url, web_only=args.web))
    except Refused as refused:
        print(refused.code, file=sys.stderr)
        return 2
    if args.quick or args.web:
        print(table(rows))
        return 0
    write_results(rows, "")
    print(f"tiji bench · {header()}")
    print(table(rows))
    missed = [r.what for r in rows if not r.ok]
    if missed:
        print(f"\n未达标 {len(missed)} 项：" + "；".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
