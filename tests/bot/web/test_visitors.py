"""The public pages' visitor: the per-IP limits count the address our proxy saw (never one the
visitor wrote into ``X-Forwarded-For``), and the fill-time stamp holds only in its own session."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import aiohttp_session
from aiohttp.test_utils import make_mocked_request

from bot.web.visitors import client_ip, issue_stamp, stamp_age

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _request(peer: str, forwarded: str = "") -> object:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    transport = mock.Mock()
    transport.get_extra_info.return_value = (peer, 40000)
    return make_mocked_request("POST", "/public/tc/complaint", headers=headers, transport=transport)


def test_behind_the_proxy_the_address_nginx_appended_counts() -> None:
    assert client_ip(_request("127.0.0.1", "6.6.6.6, 203.0.113.7")) == "203.0.113.7"  # type: ignore[arg-type]
    assert client_ip(_request("10.0.0.2", "198.51.100.1")) == "198.51.100.1"  # type: ignore[arg-type]


def test_a_visitor_reaching_us_directly_cannot_choose_an_address() -> None:
    assert client_ip(_request("93.184.216.34", "1.2.3.4")) == "93.184.216.34"  # type: ignore[arg-type]
    assert client_ip(_request("127.0.0.1", "not an address")) == "127.0.0.1"  # type: ignore[arg-type]


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
