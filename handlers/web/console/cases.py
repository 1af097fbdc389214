"""``/admin/cases``: the typical cases (典型案例) with their write-ups, newest marked first; marking
is on the matter's page. Leaders see their units' and sections' cases."""

from __future__ import annotations

from aiohttp import web

from bot.matters.scoping import matters_in
from bot.matters.showcase import showcase_cases
from bot.matters.views import LEVEL_TITLES, STATE_TITLES
from bot.web.console import console_viewer, render_console
from handlers.web.console.matter_access import moment

routes = web.RouteTableDef()


@routes.get("/admin/cases")
async def case_list(request: web.Request) -> web.Response:
    viewer = await console_viewer(request)
    _, tz = moment(request)
    cases = await showcase_cases(matters_in(viewer.organisation_id, viewer.scope))
    context = {"viewer": viewer, "cases": cases, "states": STATE_TITLES, "levels": LEVEL_TITLES, "tz": tz}
    return await render_console(request, "console/cases.html.j2", context)
