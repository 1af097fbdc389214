"""The public form's fill-time stamp holds only in its own session (the client's address for the
per-IP limits: tests/bot/web/test_client_ip.py)."""

from __future__ import annotations

import datetime as dt

import aiohttp_session

from bot.web.visitors import issue_stamp, stamp_age

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def test_a_stamp_tells_its_age_in_its_own_session_only() -> None:
    mine = aiohttp_session.Session("a", data=None, new=True)
    other = aiohttp_session.Session("b", data=None, new=True)
    stamp = issue_stamp(mine, NOW)
    issue_stamp(other, NOW)
    assert stamp_age(mine, stamp, NOW + dt.timedelta(seconds=7)) == 7
    assert stamp_age(other, stamp, NOW) is None
    seconds = stamp.partition(".")[0]
    assert stamp_age(mine, f"{int(seconds) - 60}.{stamp.partition('.')[2]}", NOW) is None  # backdated
    assert stamp_age(mine, "x" * 100, NOW) is None and stamp_age(mine, None, NOW) is None
