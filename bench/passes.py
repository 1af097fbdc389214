"""One scheduled pass in a process built as `tiji worker` builds its resources
(`python -m bench.passes reminders ORG_CODE`, settings from the environment): the real pass functions
of ``bot.jobs.passes.SCHEDULE`` named ``reminders``, timed alone (not the imports or the connect).
Prints ``{"seconds", "maxrss_bytes", "outbox_rows", "cpu_seconds", "gc_seconds"}`` (``cpu_seconds``: this process's
CPU time in the pass, which on a loaded machine says more than the wall time). With
``BENCH_PROFILE_DIR=DIR`` (and pyinstrument installed) the pass is profiled into ``DIR``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bot.calendar.schedule import official_years
from bot.calendar.workdays import load_calendar
from bot.cli.common import make_clock, settings_from_env
from bot.jobs.duty import Duty
from bot.jobs.passes import SCHEDULE
from bot.messengers.registry import build_messengers
from bot.runtime.lifecycle import freeze_startup_objects, running_resources
from models.messaging import OutboxMessage
from models.org import Organisation


async def run(name: str, organisation_code: str) -> dict[str, float]:
    settings = settings_from_env()
    async with running_resources(settings, make_clock(settings), build_messengers) as resources:
        organisation = await Organisation.get(code=organisation_code)
        before = await OutboxMessage.all().count()
        official_years()  # the holidays package: imported once by a running worker, not per pass
        freeze_startup_objects()  # as `tiji worker` does once started
        profile = os.environ.get("BENCH_PROFILE_DIR")
        with (
            profiled(Path(profile) / f"pass-{name}-{before}.txt" if profile else None),
            collections() as gc_seconds,
        ):
            start, cpu = time.perf_counter(), time.process_time()
            now = resources.clock.now()
            calendar = await load_calendar(
                settings, organisation.id, today=now.astimezone(settings.tz).date()
            )
            duty = Duty(resources, organisation, calendar, now)
            for scheduled in SCHEDULE:
                if scheduled.name == name:
                    await scheduled.run(duty)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        written = await OutboxMessage.all().count() - before
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {
        "seconds": seconds, "maxrss_bytes": maxrss, "outbox_rows": written, "cpu_seconds": cpu,
        "gc_seconds": gc_seconds[0],
    }  # fmt: skip


@contextlib.contextmanager
def collections() -> Iterator[list[float]]:
    """The seconds the cyclic garbage collector ran inside the block (``[seconds]``, set at its end)."""
    spent, started = [0.0], [0.0]

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - started[0]

    gc.callbacks.append(callback)
    try:
        yield spent
    finally:
        gc.callbacks.remove(callback)


@contextlib.contextmanager
def profiled(out: Path | None) -> Iterator[None]:
    """pyinstrument around the block, its text report written to ``out`` (nothing when None)."""
    if out is None:
        yield
        return
    from pyinstrument import Profiler  # noqa: PLC0415 - a profiling extra, not a dependency

    profiler = Profiler(async_mode="enabled")
    with profiler:
        yield
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run(sys.argv[1], sys.argv[2]))))
