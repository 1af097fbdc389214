"""`tiji worker`'s lower CPU priority (``TIJI_WORKER_NICE``), where Linux schedules by it.

A process's own nice orders it only against the processes of its scheduling group. With
autogroups on (``/proc/sys/kernel/sched_autogroup_enabled``, the default of most distributions)
every session is a group of its own, and the groups share the CPU by the *group's* nice: a worker
leading its own session (started by a supervisor with ``setsid``, as the bench and the fault tests
start it) kept its full share against the web whatever its own nice — on two cores a burst of
callbacks was answered at a third of the rate the web managed alone. Such a worker lowers its
session's group too, which holds only itself and its children. A worker in someone else's session
(a shell's) leaves that group alone: lowering it would lower the shell and all else started there.
Under systemd each service is a cgroup of its own and autogroups do not apply: ``CPUWeight=`` is
the setting there (README).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

AUTOGROUP = Path("/proc/self/autogroup")


def lower_priority(nice: int) -> None:
    """Run this process ``nice`` steps below the default CPU priority, and its session's
    scheduling group when it leads the session (never raised back: a supervisor may have lowered
    either further)."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if nice > current:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
        log.info("worker CPU priority lowered to nice %d (TIJI_WORKER_NICE)", nice)
    if os.getsid(0) == os.getpid():
        _lower_autogroup(nice)


def autogroup_nice() -> int | None:
    """The nice of this process's autogroup; None where there are none (not Linux, or off)."""
    try:
        text = AUTOGROUP.read_text()
    except OSError:
        return None
    found = re.search(r"nice (-?\d+)", text)
    return int(found.group(1)) if found else None


def _lower_autogroup(nice: int) -> None:
    current = autogroup_nice()
    if current is None or current >= nice:
        return
    try:
        AUTOGROUP.write_text(str(nice))
    except OSError as error:  # e.g. EAGAIN: the kernel takes one change a tenth of a second
        log.info("worker's session group stays at nice %d (%s)", current, error)
        return
    log.info("worker's session group (autogroup) lowered to nice %d (TIJI_WORKER_NICE)", nice)
