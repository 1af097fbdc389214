"""The one table `make bench` prints and writes to ``bench/results.md``."""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.md"


@dataclass(frozen=True)
class Row:
    what: str
    figure: str
    reference: str
    target: str
    ok: bool


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def latency_summary(latencies: list[float]) -> str:
    return f"p50 {ms(statistics.median(latencies))}, p99 {ms(percentile(latencies, 99))}"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        out = subprocess.run(
            [git, "describe", "--always", "--dirty"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(rows: list[Row]) -> str:
    lines = ["| what | tiji | reference, same run | target | met |", "|---|---|---|---|---|"]
    lines += [
        f"| {r.what} | {r.figure} | {r.reference} | {r.target} | {'yes' if r.ok else '**no**'} |"
        for r in rows
    ]
    return "\n".join(lines)


def header() -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{cpu_name()}, {os.cpu_count()} CPUs · {now} · commit {commit()}"


NOTES = "## What changed each figure"


def write_results(rows: list[Row], notes: str) -> str:
    """``bench/results.md``: machine, date, commit, the table and this run's notes; the hand-written
    section from ``NOTES`` on (what changed each figure) is kept from the file as it was."""
    kept = ""
    if RESULTS.exists():
        old = RESULTS.read_text(encoding="utf-8")
        if NOTES in old:
            kept = old[old.index(NOTES) :]
    text = (
        "# tiji benchmark (`make bench`)\n\n"
        f"{header()}\n\n"
        "`tiji serve` and `tiji worker` as real processes on PostgreSQL and a private redis-server, the fake "
        "WeCom API on a real port, the load from a separate process (`bench/load.py`); each reference "
        "(aiohttp + one tortoise INSERT on the same database, `bench/reference.py`) measured right before "
        "its figure.\n\n"
        f"{table(rows)}\n"
    )
    if notes:
        text += f"\n{notes.strip()}\n"
    if kept:
        text += f"\n{kept.strip()}\n"
    RESULTS.write_text(text, encoding="utf-8")
    return text
