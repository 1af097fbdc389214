"""``/admin``: the console's overview (总览)."""

from __future__ import annotations

from aiohttp import web

from bot.web.console import console_viewer, render_console

routes = web.RouteTableDef()


@routes.get("/admin")
async def dashboard(request: web.Request) -> web.Response:
    """The overview of the viewer's matters."""
    viewer = await console_viewer(request)
    return await render_console(request, "console/dashboard.html.j2", {"viewer": viewer})
