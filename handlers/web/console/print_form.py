"""``/admin/matters/{number}/form``: the printable 《说“不”事项提级管理审批表》 (A4 portrait): the
matter's fields, each level's opinion with name, date and a signature line, the final 说“行”建议
and the reply record. Any console role within its scope may print it."""

from __future__ import annotations

from aiohttp import web

from bot.matters.printed_form import approval_form
from bot.web.console import console_viewer, render_console
from handlers.web.console.matter_access import moment, visible_matter
from models.org import Organisation

routes = web.RouteTableDef()


@routes.get("/admin/matters/{number}/form")
async def print_form(request: web.Request) -> web.Response:
    viewer = await console_viewer(request)
    matter = await visible_matter(viewer, request.match_info["number"])
    _, tz = moment(request)
    context = {
        "viewer": viewer,
        "form": await approval_form(matter),
        "organisation": await Organisation.get(id=viewer.organisation_id),
        "tz": tz,
    }
    return await render_console(request, "console/approval_form.html.j2", context)
