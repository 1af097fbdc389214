"""Run a command and print its time and its own peak RSS:
``python -m bench.child_rss [--limit SECONDS] CMD…`` (killed after ``--limit``: a miss, not a hang).

Why a launcher: a child's ``ru_maxrss`` (``os.wait4``) is at least the RSS of the process that
forked it — Linux carries the old memory's high-water mark through ``exec`` — so a command started
by the bench itself reports the bench's memory, not its own (the 1,000,000-matter summary showed
the bench's ~200 MB). This launcher is a few MB of standard library, so what it reports for its
child is the child's. Prints one JSON line: ``seconds``, ``cpu_seconds``, ``peak_rss_bytes``, ``exit``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time


def main() -> int:
    command, limit = sys.argv[1:], None
    if command[:1] == ["--limit"]:
        limit, command = float(command[1]), command[2:]
    if not command:
        print("usage: python -m bench.child_rss [--limit SECONDS] CMD…", file=sys.stderr)
        return 2
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    timer = threading.Timer(limit, proc.kill) if limit else None
    if timer is not None:
        timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        if timer is not None:
            timer.cancel()
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime  # the command's own CPU time: less bent by the machine's load
    print(
        json.dumps(
            {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_bytes": usage.ru_maxrss * 1024, "exit": code}
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
