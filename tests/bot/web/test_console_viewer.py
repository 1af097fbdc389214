"""The console's viewer helpers: where sign-in may send a browser afterwards, the matters list's
links, and ``warn_class`` in templates (a closed matter is never warned)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from bot.calendar.workdays import WorkCalendar
from bot.web.console import WarnClock, matters_url, safe_console_next
from models.enums import MatterState

NOW = dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC)  # Tuesday 09:00 in Shanghai
CLOCK = WarnClock(WorkCalendar(tz=ZoneInfo("Asia/Shanghai"), office_start=dt.time(8, 30),
                               office_end=dt.time(17, 30)), NOW)  # fmt: skip


def test_sign_in_goes_back_only_to_a_console_page() -> None:
    assert safe_console_next("/admin/matters?state=pending") == "/admin/matters?state=pending"
    outside = ("https://evil.example/admin", "//evil.example", "/m/todo", "/administrator", "/admin\\evil",
               "/admin//evil.example", "/admin/signin?next=/admin", None, 3)  # fmt: skip
    assert {safe_console_next(value) for value in outside} == {"/admin"}


def test_matters_url_leaves_out_empty_filters() -> None:
    assert (
        matters_url(state="pending", level=None, overdue=1, q="") == "/admin/matters?state=pending&overdue=1"
    )
    assert matters_url(q="刘 & 张") == "/admin/matters?q=%E5%88%98+%26+%E5%BC%A0"
    assert matters_url() == "/admin/matters"


def test_warn_class_colours_open_matters_only() -> None:
    overdue = SimpleNamespace(state=MatterState.PENDING, due_at=NOW - dt.timedelta(hours=1))
    soon = SimpleNamespace(state=MatterState.RESOLVED, due_at=NOW + dt.timedelta(hours=3))
    closed = SimpleNamespace(state=MatterState.CLOSED, due_at=NOW - dt.timedelta(days=3))
    assert (CLOCK(overdue), CLOCK(soon), CLOCK(closed)) == ("red", "yellow", "")
    assert CLOCK(NOW + dt.timedelta(days=5)) == ""
    assert CLOCK("not a deadline") == ""
