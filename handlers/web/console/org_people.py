"""``/admin/org/people/{id}``: a person's name, title, phone, roles and active flag, and 调动 to
another section or unit (``…/move``, `bot.org.moves`) — office and admin, each audited. The roles
the chain gives are shown but follow the chain's assignments."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.directory import ROLE_LABELS, STRUCTURAL_ROLES
from bot.org.moves import move_person, open_work
from bot.org.newcomers import place_of, places
from bot.org.people import edit_person, structural_roles
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_forms import Form, path_id, read_form, save_change, today, user_message
from bot.web.errors import PageError
from models.org import Person, Role

routes = web.RouteTableDef()

EDITABLE_ROLES = tuple(r for r in Role if r not in STRUCTURAL_ROLES)


async def _person(viewer: ConsoleViewer, request: web.Request) -> Person:
    person = await Person.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if person is None:
        raise PageError(404, "没有找到", "没有这个人员，请从组织与链条重新进入。")
    return person


async def _form(request: web.Request, viewer: ConsoleViewer, person: Person, *, error: str = "",
                form: Form | None = None, status: int = 200, move_error: str = "",
                place: str | None = None) -> web.Response:  # fmt: skip
    derived = (await structural_roles(viewer.organisation_id)).get(person.id, set())
    values = (
        {"name": form.get("name"), "title": form.get("title"), "phone": form.get("phone"),
         "roles": form.all("roles"), "active": form.get("active") == "on"}
        if form is not None
        else {"name": person.name, "title": person.title, "phone": person.phone, "roles": person.roles or [],
              "active": person.active}
    )  # fmt: skip
    context = {
        "viewer": viewer, "person": person, "values": values, "error": error,
        "editable_roles": [(r.value, ROLE_LABELS[r]) for r in EDITABLE_ROLES],
        "derived": [ROLE_LABELS[r] for r in Role if r in derived],
        "places": await places(viewer.organisation_id), "place": place or place_of(person),
        "move_error": move_error, "work": await open_work(viewer.organisation_id, person.id),
    }  # fmt: skip
    return await render_console(request, "console/org/person.html.j2", context, status=status)


@routes.get("/admin/org/people/{id}")
async def person_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    return await _form(request, viewer, await _person(viewer, request))


@routes.post("/admin/org/people/{id}")
async def person_save(request: web.Request) -> web.Response:
    """Save the person's fields (audited); a refused edit shows the form again with what to fix."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    person = await _person(viewer, request)
    try:
        await save_change(
            request,
            viewer,
            lambda: edit_person(
                viewer.organisation_id, person.id, name=form.get("name"), title=form.get("title"),
                phone=form.get("phone"), roles=form.all("roles"), active=form.get("active") == "on",
                today=today(request),
            ),
        )  # fmt: skip
    except UserError as error:
        return await _form(request, viewer, person, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther(f"/admin/org?saved=person#person-{person.id}")


@routes.post("/admin/org/people/{id}/move")
async def person_move(request: web.Request) -> web.Response:
    """调动: the person works in another section or unit from now on (audited); a move that would
    leave a post or a stand-in behind shows the page again with what to do first."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    person = await _person(viewer, request)
    try:
        await save_change(
            request,
            viewer,
            lambda: move_person(viewer.organisation_id, person.id, form.get("place"), today(request)),
        )
    except UserError as error:
        return await _form(
            request, viewer, person, move_error=user_message(error), place=form.get("place"), status=400
        )
    raise web.HTTPSeeOther(f"/admin/org?saved=move#person-{person.id}")
