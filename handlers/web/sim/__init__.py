"""The simulator's web side: the `/sim` page, its static files and its JSON API (DESIGN §4)."""

from __future__ import annotations

from aiohttp import web

from bot.messengers.simulator.clock_store import restore_offset
from handlers.web.sim import api, clock, open_as, pages


def setup_routes(app: web.Application) -> None:
    """Add the page, ``/sim/static/…`` and ``/sim/api/…``; take up a clock offset left by the last run."""
    app.add_routes(pages.routes)
    pages.add_static_routes(app)
    app.add_routes(api.routes)
    app.add_routes(clock.routes)
    app.add_routes(open_as.routes)
    app.on_startup.append(restore_offset)
