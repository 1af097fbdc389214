"""“以此身份打开”: the simulator signs the browser in as a person of the org and opens a phone
page, so the pages are tryable with no corp (the platforms sign in through their own apps)."""

from __future__ import annotations

from aiohttp import web

from bot.web.errors import PageError
from bot.web.inputs import storable
from bot.web.sessions import safe_next, sign_in
from models.org import Organisation, Person

routes = web.RouteTableDef()


@routes.get("/sim/open-as/{handle}")
async def open_as(request: web.Request) -> web.Response:
    """Sign in as ``handle`` (an active person of the simulated org), then go to ``next``
    (a ``/m/…`` path; the person's todo page by default)."""
    handle = storable(request.match_info["handle"], "账号")
    organisation = await Organisation.all().order_by("id").first()
    person = None
    if organisation is not None:
        person = await Person.get_or_none(organisation=organisation, handle=handle, active=True)
    if person is None:
        raise PageError(404, "没有这个人", f"组织里没有在职的账号 {handle}，请回到模拟器从人员列表中选择。")
    await sign_in(request, person)
    raise web.HTTPFound(safe_next(request.query.get("next")))
