"""``/m/me``: who is signed in (name, section, title, the platform), and signing out."""

from __future__ import annotations

from aiohttp import web

from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.pages import render_page
from bot.web.sessions import sign_out, signed_in_person
from models.org import Person

routes = web.RouteTableDef()


@routes.get("/m/me")
async def me(request: web.Request) -> web.Response:
    """The signed-in person's account."""
    person = await signed_in_person(request)
    full = await Person.get(id=person.id).prefetch_related("department", "unit")
    return await render_page(request, "pages/me.html.j2", {"viewer": full, "person": full})


@routes.post("/m/signout")
async def signout(request: web.Request) -> web.Response:
    """End the session; the page says so (opening a card signs in again)."""
    form = await posted(request)
    await check_csrf(request, form)
    await sign_out(request)
    return await render_page(request, "pages/signed_out.html.j2", {"viewer": None})
