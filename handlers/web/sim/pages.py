"""The `/sim` page and its script and style (served from ``templates/sim/``)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from handlers.web.sim.api import add_api_routes
from models.org import Organisation

SIM_TEMPLATES = Path(__file__).resolve().parents[3] / "templates" / "sim"
# Only these files are served; nothing else under templates/ is reachable this way.
_ASSETS = {"sim.js": "application/javascript", "sim.css": "text/css"}
_NO_CACHE = {"Cache-Control": "no-cache"}


async def page(request: web.Request) -> web.Response:
    organisation = await Organisation.all().order_by("id").first()
    response = aiohttp_jinja2.render_template(
        "sim/index.html",
        request,
        {"organisation": organisation.name if organisation is not None else ""},
    )
    response.headers.update(_NO_CACHE)
    return response


async def asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in _ASSETS:
        raise web.HTTPNotFound(text="没有这个文件")
    # Off the event loop: a request handler never waits on the disk itself.
    body = await asyncio.to_thread((SIM_TEMPLATES / name).read_bytes)
    return web.Response(body=body, content_type=_ASSETS[name], charset="utf-8", headers=_NO_CACHE)


def add_page_routes(app: web.Application) -> None:
    app.router.add_get("/sim", page)
    app.router.add_get("/sim/static/{name}", asset)


def setup_simulator_routes(app: web.Application) -> None:
    add_page_routes(app)
    add_api_routes(app)
