"""The reminder pass alone, seeded once and timed many times (`python -m bench.reminders_only`).

The row of `bench.scheduled.reminders` without the rest of `make bench`: the same processes
(`bench.environment.running`), a few matters submitted through ``/wecom/callback`` as templates,
100,000 open copies, the first look once; then rounds of passes, each over matters not due before
(``--due`` of them made due by `bench.seed.make_due`), each a fresh `bench.passes` process.
``--baseline DIR`` (another checkout, e.g. ``git archive <commit> | tar -x -C DIR``) runs every
round's pass once from there as well, alternating which goes first: before and after on the same
database under the same load. Prints one JSON line per pass and a summary (medians).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import asyncpg

from bench import scheduled, web_figures
from bench.environment import ADMIN_URL, Processes, bench_database, running
from bench.seed import clone_matters, make_due
from bench.web_figures import ROOT, settled
from tests.support.wecom_traffic import WeComTraffic

TEMPLATES, CLICKS = 20, 5  # matters submitted through the callback, of them sent up (one is copied)


async def run_pass(p: Processes, checkout: Path, profile: Path | None = None) -> dict[str, float]:
    """`bench.passes reminders big` from ``checkout`` (its own ``bot`` first on the path); with
    ``profile``, recorded by py-spy into that file (``-f raw``, whole process)."""
    env = {**p.env(), "PYTHONPATH": str(checkout)}
    command = [sys.executable, "-m", "bench.passes", "reminders", "big"]
    if profile is not None:
        spy = Path(sys.executable).with_name("py-spy")
        command = [str(spy), "record", "-f", "raw", "-r", "250", "-o", str(profile), "--", *command]
    proc = await asyncio.create_subprocess_exec(
        *command, cwd=checkout, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(err.decode(errors="replace")[-2000:])
    # The pass prints one JSON line; py-spy adds lines of its own after it.
    line = [li for li in out.decode().splitlines() if li.startswith("{")][-1]
    result: dict[str, float] = json.loads(line)
    return result


async def seed(p: Processes, open_matters: int) -> int:
    """Submit the templates, copy one ``open_matters`` times, run the first look; the first copy's id."""
    traffic = WeComTraffic(p.wecom.api, p.wecom.signer)
    staff = [member for member, _, _ in web_figures.ORG.submitters()]
    callbacks = [traffic.text(staff[i % len(staff)], web_figures.FORM) for i in range(TEMPLATES)]
    await web_figures.load(p, p.web.base_url, web_figures.to_tiji(callbacks), concurrency=4)
    await settled(p.database_url)
    # As in `make bench`: the copied matter is one a head sent up (提级), pending at level 2.
    cards = web_figures.head_cards(p.wecom.api.sent)[:CLICKS]
    await web_figures.load(
        p, p.web.base_url, web_figures.to_tiji(web_figures.clicks_on(traffic, cards, "提级")), concurrency=1
    )
    await settled(p.database_url)
    conn = await asyncpg.connect(p.database_url)
    try:
        first, _ = await clone_matters(
            conn, matter_id=await scheduled.template(conn, "pending"), count=open_matters,
            first_seq=10_000_000, shift="interval '0'",
        )  # fmt: skip
    finally:
        await conn.close()
    await settled(p.database_url)
    await run_pass(p, Path(ROOT))  # the first look at every new step
    return first


async def rounds(p: Processes, args: argparse.Namespace) -> None:
    first = await seed(p, args.open)
    if not args.keep_worker:
        # Its cron pass (second 5 of every minute) would otherwise do some of a measured pass's
        # work, and its deliveries share the two cores: the passes are compared alone.
        await p.worker.stop()
    checkouts = {"new": Path(args.new)} | {Path(b).name: Path(b) for b in args.baseline}
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    idle = await run_pass(p, Path(ROOT))
    print(json.dumps({"idle": idle}), flush=True)
    conn = await asyncpg.connect(p.database_url)
    try:
        for due in args.due:
            for i in range(args.rounds):
                order = list(checkouts.items())
                if i % 2:
                    order.reverse()
                for name, checkout in order:
                    await make_due(conn, first, first + due - 1, "3 days")
                    first += due
                    spy = Path(args.py_spy) / f"{name}-{due}-{i}.txt" if args.py_spy else None
                    result = await run_pass(p, checkout, spy)
                    results[f"{name} {due}"].append(result)
                    print(json.dumps({"due": due, "round": i, "code": name, **result}), flush=True)
                    if args.settle:
                        await settled(p.database_url)
    finally:
        await conn.close()
    for name, runs in results.items():
        wall = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        gcs = statistics.median(r.get("gc_seconds", 0.0) for r in runs)
        rows = [int(r["outbox_rows"]) for r in runs]
        print(
            f"{name}: median {wall:.3f} s wall, CPU {cpu:.3f} s (GC {gcs:.3f} s) over {len(runs)} passes; messages {rows}"
        )


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tiji-remind-") as tmp:
        async with bench_database(None, ADMIN_URL) as url, running(Path(tmp), url) as processes:
            await rounds(processes, args)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.reminders_only", description=__doc__)
    parser.add_argument("--open", type=int, default=scheduled.OPEN, help="open matters copied")
    parser.add_argument(
        "--due", type=int, nargs="+", default=[scheduled.DUE], help="matters made due per pass"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--new", default=ROOT, help="the checkout measured as new (default: this one)")
    parser.add_argument(
        "--baseline",
        action="append",
        default=[],
        help="another checkout whose pass runs in every round as well",
    )
    parser.add_argument("--py-spy", help="a directory: each pass recorded by py-spy (raw) into it")
    parser.add_argument(
        "--keep-worker", action="store_true", help="leave `tiji worker` running (as make bench)"
    )
    parser.add_argument("--settle", action="store_true", help="wait for delivery after each pass")
    asyncio.run(main(parser.parse_args()))
