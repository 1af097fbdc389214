"""The simulated time survives a restart of `tiji dev` (the offset is kept in Redis)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.clock import SimClock
from bot.messengers.simulator.clock_store import restore_offset
from bot.runtime.resources import RESOURCES
from bot.settings import Settings
from tests.support.stack import running_stack


async def test_clock_set_through_the_api_is_restored_on_the_next_start(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with running_stack(settings, clock) as stack:
        response = await stack.client.post("/sim/api/clock", json={"now": "2027-01-04T09:00:00+08:00"})
        assert response.status == 200
        restarted = SimClock()  # a new process starts at real time…
        app = web.Application()
        app[RESOURCES] = stack.resources
        stack.resources.clock = restarted
        await restore_offset(app)  # …and takes up the saved offset
        expected = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        assert abs((restarted.now() - expected).total_seconds()) < 60
