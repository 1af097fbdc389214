"""``GET /m/complaints/{number}/materials``: a complaint's materials on a phone, for the section it
is assigned to (the complaint card links here when the complaint has materials) and for the office,
纪检组, principals and admins — ``bot.complaints.attachments.may_see_materials``. Another
organisation's number, or an unknown one, is not found."""

from __future__ import annotations

from aiohttp import web

from bot.complaints.attachments import materials_of, may_see_materials, person_roles
from bot.complaints.numbers import normalise_complaint_number
from bot.complaints.workflow import STATE_TITLES
from bot.runtime.resources import RESOURCES
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person
from handlers.web.pages.attachments import NO_MATERIALS
from models.complaints import Complaint
from models.org import Department

routes = web.RouteTableDef()


@routes.get("/m/complaints/{number}/materials")
async def complaint_materials(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    number = normalise_complaint_number(request.match_info["number"][:40])
    complaint = (
        await Complaint.get_or_none(organisation_id=person.organisation_id, number=number) if number else None
    )
    if complaint is None:
        raise PageError(404, "没有找到", "没有这个投诉编号，或您无权查看。")
    if not await may_see_materials(complaint, person_roles(person), person):
        raise PageError(403, "没有权限", NO_MATERIALS)
    department = await Department.get_or_none(id=complaint.department_id or 0)
    context = {
        "c": complaint,
        "state": STATE_TITLES[complaint.state],
        "department": department.name if department else "",
        "materials": await materials_of(complaint),
        "tz": request.app[RESOURCES].settings.tz,
    }
    response = await render_page(request, "pages/complaint_materials.html.j2", context)
    response.headers["Cache-Control"] = "no-store"
    return response
