"""`tiji worker` yields the CPU to the web: on one machine the platforms' callbacks are answered
first and the stored backlog is applied with what is left (``TIJI_WORKER_NICE``)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli.priority import AUTOGROUP

ROOT = __file__.rsplit("/tests/", 1)[0]


def priority_after(nice: int, *, started_at: int = 0) -> int:
    """The priority of a fresh process that started at ``started_at`` and called lower_priority."""
    code = (
        "import os; from bot.cli.priority import lower_priority; "
        f"os.setpriority(os.PRIO_PROCESS, 0, {started_at}); lower_priority({nice}); "
        "print(os.getpriority(os.PRIO_PROCESS, 0))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def test_the_worker_runs_at_the_configured_lower_priority() -> None:
    assert priority_after(10) == 10


def test_a_priority_lowered_further_by_the_supervisor_is_kept() -> None:
    assert priority_after(5, started_at=15) == 15


def autogroup_after(nice: int, *, own_session: bool) -> str:
    """The autogroup line of a fresh process (in a session of its own, or in ours) after
    lower_priority."""
    code = (
        "from bot.cli.priority import AUTOGROUP, lower_priority; "
        f"lower_priority({nice}); print(AUTOGROUP.read_text().strip())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        start_new_session=own_session,
    )  # fmt: skip
    return done.stdout.strip()


needs_autogroups = pytest.mark.skipif(
    not AUTOGROUP.exists(), reason="no autogroups here (not Linux, or built without them)"
)


@needs_autogroups
def test_a_worker_leading_its_session_lowers_its_sessions_group_too() -> None:
    assert autogroup_after(10, own_session=True).endswith(" nice 10")


@needs_autogroups
def test_a_worker_in_another_session_leaves_that_group_alone() -> None:
    ours = AUTOGROUP.read_text().strip()
    assert autogroup_after(10, own_session=False) == ours


def test_the_setting_is_bounded_to_what_unix_allows() -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    assert Settings(_env_file=None, worker_nice=0).worker_nice == 0  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(_env_file=None, worker_nice=20)  # type: ignore[call-arg]
