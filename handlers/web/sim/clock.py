"""The simulator's clock API (DESIGN §4): read, set or advance the simulated now, and run the cron
work that is due as of it (``tick``)."""

from __future__ import annotations

from aiohttp import web

from bot.clock import SimClock
from bot.jobs.passes import run_due_work
from bot.outbox.delivery import sweep_outbox
from bot.runtime.resources import RESOURCES, Resources
from bot.runtime.shared_clock import advance_now, reset_now, set_now
from bot.web.api import ApiError, check_origin, json_object, validated
from handlers.web.sim.bodies import ClockBody

routes = web.RouteTableDef()


def _clock_now(resources: Resources) -> dict[str, object]:
    clock = resources.clock
    return {
        "now": clock.now().astimezone(resources.settings.tz).isoformat(),
        "adjustable": isinstance(clock, SimClock),
        # How far the simulated time is from the real one (kept across restarts): the page says so.
        "offset_seconds": clock.offset.total_seconds() if isinstance(clock, SimClock) else 0.0,
    }


@routes.get("/sim/api/clock")
async def get_clock(request: web.Request) -> web.Response:
    """The (simulated) now, and whether it can be moved."""
    return web.json_response(_clock_now(request.app[RESOURCES]))


@routes.post("/sim/api/clock")
async def set_clock(request: web.Request) -> web.Response:
    """``{"now": …}`` sets the simulated time, ``{"advance": …}`` moves it on; kept across restarts."""
    data = await json_object(request)
    resources = request.app[RESOURCES]
    clock = resources.clock
    if not isinstance(clock, SimClock):
        raise ApiError(409, "当前时钟是真实时间，不能调整（只有模拟模式 TIJI_SIMULATOR=1 可以调时间）")
    body = validated(ClockBody, data)
    if body.now is not None:
        await set_now(resources.redis, clock, body.now)
    if body.advance is not None:
        await advance_now(resources.redis, clock, body.advance)
    return web.json_response(_clock_now(resources))


@routes.post("/sim/api/clock/reset")
async def reset_clock(request: web.Request) -> web.Response:
    """“回到现在”: the simulated time follows the real one again (also after a restart)."""
    check_origin(request)
    resources = request.app[RESOURCES]
    clock = resources.clock
    if not isinstance(clock, SimClock):
        raise ApiError(409, "当前时钟是真实时间，已经是现在")
    await reset_now(resources.redis, clock)
    return web.json_response(_clock_now(resources))


@routes.post("/sim/api/tick")
async def tick(request: web.Request) -> web.Response:
    """Run the cron work that is due as of the (simulated) now, then push out what it queued.

    ``sent``: the passes that queued a message, with how many (none: nothing was due to send)."""
    check_origin(request)
    resources = request.app[RESOURCES]
    queued = await run_due_work(resources)
    nudged = await sweep_outbox(resources)
    sent = {name: count for name, count in queued.items() if count}
    return web.json_response({"ran": list(queued), "sent": sent, "nudged": nudged})
