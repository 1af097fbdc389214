"""``/admin/org/people/new``: add a person (office and admin; audited) — a unit or section, the
account, name, title, phone, roles and the platform accounts; then back to 组织与链条."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.directory import ROLE_LABELS, STRUCTURAL_ROLES
from bot.org.newcomers import add_person, places
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_forms import Form, read_form, save_change, user_message
from models.org import Role

routes = web.RouteTableDef()

EDITABLE_ROLES = tuple(r for r in Role if r not in STRUCTURAL_ROLES)


async def _form(request: web.Request, viewer: ConsoleViewer, *, error: str = "", form: Form | None = None,
                status: int = 200) -> web.Response:  # fmt: skip
    values = form.values if form is not None else {}
    context = {
        "viewer": viewer, "values": values, "chosen_roles": form.all("roles") if form else [], "error": error,
        "places": await places(viewer.organisation_id),
        "editable_roles": [(r.value, ROLE_LABELS[r]) for r in EDITABLE_ROLES],
    }  # fmt: skip
    return await render_console(request, "console/org/newcomer.html.j2", context, status=status)


@routes.get("/admin/org/people/new")
async def newcomer_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    return await _form(request, viewer)


@routes.post("/admin/org/people/new")
async def newcomer_save(request: web.Request) -> web.Response:
    """Create the person (audited); a refused form is shown again with what to fix, nothing stored."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    try:
        change = await save_change(
            request,
            viewer,
            lambda: add_person(
                viewer.organisation_id, handle=form.get("handle"), name=form.get("name"),
                title=form.get("title"), phone=form.get("phone"), place=form.get("place"),
                roles=form.all("roles"), wecom_userid=form.get("wecom_userid"),
                dingtalk_userid=form.get("dingtalk_userid"),
            ),
        )  # fmt: skip
    except UserError as error:
        return await _form(request, viewer, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther(f"/admin/org?saved=person_add#{change.subject.replace(':', '-')}")
