"""``GET /m/complaints/{number}``: a complaint on a phone as the section needs it (content,
complainant with a tel: link, deadline, state, the section's steps, materials, the 发回重办 reason
when reopened) — the complaint card links here. Visible to the section it is assigned to (its
people, head and deputy) and to the office, 纪检组, principals and admins
(``bot.complaints.attachments.may_see_materials``); another organisation's number, or an unknown
one, is not found. ``/m/complaints/{number}/materials`` (older cards) redirects to the materials."""

from __future__ import annotations

from aiohttp import web

from bot.complaints.attachments import may_see_materials, person_roles
from bot.complaints.numbers import normalise_complaint_number
from bot.complaints.section_view import section_view
from bot.runtime.resources import RESOURCES
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person
from models.complaints import Complaint

routes = web.RouteTableDef()
NOT_YOURS = "只有承办股室的人员、活动办公室、纪检组、主要领导和管理员可以查看这件投诉。"


@routes.get("/m/complaints/{number}")
async def complaint_page(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    number = normalise_complaint_number(request.match_info["number"][:40])
    complaint = (
        await Complaint.get_or_none(organisation_id=person.organisation_id, number=number) if number else None
    )
    if complaint is None:
        raise PageError(404, "没有找到", "没有这个投诉编号，或您无权查看。")
    if not await may_see_materials(complaint, person_roles(person), person):
        raise PageError(403, "没有权限", NOT_YOURS)
    view = await section_view(complaint, request.app[RESOURCES].settings.tz)
    response = await render_page(request, "pages/complaint.html.j2", {"v": view, "c": complaint})
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/m/complaints/{number}/materials")
async def complaint_materials(request: web.Request) -> web.Response:
    """The old address of the materials page (cards sent before the complaint's page existed)."""
    number = normalise_complaint_number(request.match_info["number"][:40])
    if not number:
        raise PageError(404, "没有找到", "没有这个投诉编号，或您无权查看。")
    raise web.HTTPFound(f"/m/complaints/{number}#materials")
