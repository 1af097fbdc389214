"""The delivery row alone, at several sizes in one environment: `make bench`'s "delivery by the
running worker" (``bench.scheduled.delivery``) without the web rows before it.

Run: ``python -m bench.delivery [--messages 1000 10000] [--admin-url …] [--profile-dir DIR]``.
Each size is its own run (own dedupe keys and texts) on the same `tiji worker`, so the figures
compare like with like; ``--base DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``) runs each
size first on a worker started from that checkout, then on this one, in the same environment. With ``--profile-dir`` (``pip install py-spy`` first) the worker is sampled
during the largest run into ``DIR/worker-<n>.speedscope.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from bench import scheduled
from bench.environment import ADMIN_URL, Processes, bench_database, running
from bench.report import Row, table
from tests.support.processes import TijiWorker

LIMIT_WINDOW_SECONDS = 65  # WeCom's 30 a minute per member, held 2 s longer by the limiter


@contextlib.asynccontextmanager
async def sampled(pid: int, out: Path | None) -> AsyncIterator[None]:
    """py-spy on ``pid`` while the block runs (nothing when ``out`` is None)."""
    spy = shutil.which("py-spy")
    if out is None or spy is None:
        if out is not None:
            print("py-spy not found: no profile", file=sys.stderr)
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(  # noqa: ASYNC220 (py-spy starts at once; asyncio's watcher lost its exit)
        [spy, "record", "--pid", str(pid), "--format", "speedscope", "--output", str(out), "--rate", "200",
         "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        for _ in range(3):  # SIGINT: py-spy writes the profile and exits (a first one can be missed)
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(proc.wait, 10)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            proc.kill()
            proc.wait()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def worker_from(p: Processes, source: Path | None) -> AsyncIterator[None]:
    """The block runs with `tiji worker` started from the checkout ``source`` (e.g. `git archive` of
    the commit to compare with) instead of this one; the usual worker again afterwards."""
    if source is None:
        yield
        return
    await p.worker.stop()
    other = TijiWorker("worker-base", p.worker.argv, p.worker.env, p.workdir / "worker-base.log")
    here = Path.cwd()
    os.chdir(source)  # `python -m bot.cli` imports from its working directory first
    try:
        await other.start()
    finally:
        os.chdir(here)
    original, p.worker = p.worker, other
    try:
        yield
    finally:
        await other.stop()
        p.worker = original
        await original.start()


async def runs(p: Processes, sizes: list[int], profile_dir: Path | None, base: Path | None) -> list[Row]:
    rows = []
    plan = [(n, source) for n in sizes for source in ([base, None] if base else [None])]
    for index, (messages, source) in enumerate(plan):
        if index:  # the same 500 people: let the last run's messages leave WeCom's minute window
            await asyncio.sleep(LIMIT_WINDOW_SECONDS)
        largest = messages == max(sizes) and source is None
        out = profile_dir / f"worker-{messages}.speedscope.json" if profile_dir and largest else None
        async with worker_from(p, source), sampled(p.worker.pid, out):
            pids = {"worker": p.worker.pid, "redis": p.redis.pid, "fake WeCom": os.getpid()}
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            row = await scheduled.delivery(p, messages, run=f"-{index}")
            used = ", ".join(f"{name} {cpu_seconds(pid) - before[name]:.1f} s" for name, pid in pids.items())
        what = f"{row.what} ({'base ' + str(source) if source else 'this checkout'})"
        rows.append(Row(what, row.figure, f"CPU: {used}", row.target, row.ok))
        print(f"  {what}: {row.figure}; CPU: {used}", file=sys.stderr, flush=True)
    return rows


async def main_async(
    sizes: list[int], admin_url: str, profile_dir: Path | None, base: Path | None
) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="tiji-bench-delivery-") as tmp:
        async with bench_database(None, admin_url) as url, running(Path(tmp), url) as processes:
            return await runs(processes, sizes, profile_dir, base)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--messages", type=int, nargs="+", default=[1000, scheduled.MESSAGES])
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--profile-dir", type=Path)
    parser.add_argument(
        "--base", type=Path, help="a checkout to compare with: each size runs on its worker, then on this one"
    )
    args = parser.parse_args(argv)
    print(table(asyncio.run(main_async(args.messages, args.admin_url, args.profile_dir, args.base))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
