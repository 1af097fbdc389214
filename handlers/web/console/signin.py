"""``/admin/signin``: the console's sign-in page, and ``/admin/signout``."""

from __future__ import annotations

from aiohttp import web

from bot.runtime.resources import RESOURCES
from bot.web.console import current_viewer, render_console, safe_console_next
from bot.web.csrf import check_csrf
from bot.web.sessions import sign_out

routes = web.RouteTableDef()


@routes.get("/admin/signin")
async def signin_page(request: web.Request) -> web.Response:
    """The ways to sign in; a viewer already signed in goes straight on."""
    next_path = safe_console_next(request.query.get("next"))
    if await current_viewer(request) is not None:
        raise web.HTTPFound(next_path)
    settings = request.app[RESOURCES].settings
    context = {"viewer": None, "next": next_path, "simulator": settings.simulator}
    return await render_console(request, "console/signin.html.j2", context)


@routes.post("/admin/signout")
async def signout(request: web.Request) -> web.Response:
    """End the session and go back to the sign-in page."""
    form = await request.post()
    await check_csrf(request, form)
    await sign_out(request)
    raise web.HTTPFound("/admin/signin")
