"""The aiohttp application factory (web process, and the web half of `tiji dev`)."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.messengers.registry import setup_messenger_routes
from bot.resources import RESOURCES, Resources
from bot.router import Router
from bot.settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
ROUTER = web.AppKey("router", Router)
SETTINGS = web.AppKey("settings", Settings)


async def health(request: web.Request) -> web.Response:
    resources = request.app[RESOURCES]
    await resources.redis.ping()
    return web.json_response({"ok": True, "now": resources.clock.now().isoformat()})


def build_app(settings: Settings, *, resources: Resources) -> web.Application:
    """The web app over already-opened ``resources`` (see ``bot.lifecycle.running_resources``).

    The process opens its resources once and shares them between the web app, the worker and (in
    `tiji dev`) the DingTalk stream; they are closed after the app's runner is cleaned up.
    """
    app = web.Application()
    app[SETTINGS] = settings
    app[RESOURCES] = resources
    app[ROUTER] = Router(resources)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    app.router.add_get("/healthz", health)
    setup_messenger_routes(app, settings)
    return app
