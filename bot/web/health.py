"""``GET /healthz``: the web process can reach Redis and knows the time."""

from __future__ import annotations

from aiohttp import web

from bot.runtime.resources import RESOURCES


async def health(request: web.Request) -> web.Response:
    resources = request.app[RESOURCES]
    await resources.redis.ping()
    return web.json_response({"ok": True, "now": resources.clock.now().isoformat()})


def add_health_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", health)
