"""The aiohttp application factory (web process, and the web half of `tiji dev`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.clock import Clock
from bot.lifecycle import running_resources
from bot.messengers.registry import setup_messenger_routes
from bot.resources import RESOURCES, Resources
from bot.router import Router
from bot.settings import Settings

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
ROUTER = web.AppKey("router", Router)
SETTINGS = web.AppKey("settings", Settings)

ResourcesFactory = Callable[[web.Application], AsyncIterator[None]]


def _resources_ctx(settings: Settings, clock: Clock) -> ResourcesFactory:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        async with running_resources(settings, clock) as resources:
            app[RESOURCES] = resources
            app[ROUTER] = Router(resources)
            yield

    return ctx


def _shared_resources_ctx(resources: Resources) -> ResourcesFactory:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        app[RESOURCES] = resources
        app[ROUTER] = Router(resources)
        yield

    return ctx


async def health(request: web.Request) -> web.Response:
    resources = request.app[RESOURCES]
    await resources.redis.ping()
    return web.json_response({"ok": True, "now": resources.clock.now().isoformat()})


def build_app(
    settings: Settings,
    clock: Clock,
    *,
    resources: Resources | None = None,
    extra_ctx: list[Callable[[web.Application], AsyncIterator[None]]] | None = None,
) -> web.Application:
    """The web app. With ``resources`` given (tests, `tiji dev`), it uses them instead of opening its own."""
    app = web.Application()
    app[SETTINGS] = settings
    if resources is None:
        app.cleanup_ctx.append(_resources_ctx(settings, clock))
    else:
        app.cleanup_ctx.append(_shared_resources_ctx(resources))
    for ctx in extra_ctx or []:
        app.cleanup_ctx.append(ctx)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    app.router.add_get("/healthz", health)
    setup_messenger_routes(app, settings)
    return app


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
