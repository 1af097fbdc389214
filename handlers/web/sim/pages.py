"""The `/sim` page; its script and style are static files under ``templates/sim/static/``."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from models.org import Organisation

STATIC_DIR = Path(__file__).resolve().parents[3] / "templates" / "sim" / "static"
STATIC_PREFIX = "/sim/static"

routes = web.RouteTableDef()


@routes.get("/sim")
async def page(request: web.Request) -> web.Response:
    """The simulator: people, the chat with the bot, group channels and the clock."""
    organisation = await Organisation.all().order_by("id").first()
    return aiohttp_jinja2.render_template(
        "sim/index.html",
        request,
        {"organisation": organisation.name if organisation is not None else ""},
    )


def add_static_routes(app: web.Application) -> None:
    """``/sim/static/sim.js`` and ``sim.css``: only that directory is served, without an index."""
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="sim_static")
