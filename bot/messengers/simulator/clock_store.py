"""The simulated clock's offset, kept in Redis so `tiji dev` restarts at the time it was set to
(the embedded Redis snapshots into the data dir)."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.clock import SimClock
from bot.runtime.resources import RESOURCES, Resources

OFFSET_KEY = "tiji:sim:clock_offset_seconds"


async def save_offset(resources: Resources) -> None:
    if isinstance(resources.clock, SimClock):
        await resources.redis.set(OFFSET_KEY, repr(resources.clock.offset.total_seconds()))


async def restore_offset(app: web.Application) -> None:
    """on_startup: take up the offset a previous run left (none in a fresh data dir)."""
    resources = app[RESOURCES]
    if not isinstance(resources.clock, SimClock):
        return
    raw = await resources.redis.get(OFFSET_KEY)
    if raw is not None:
        resources.clock.offset = dt.timedelta(seconds=float(raw))
