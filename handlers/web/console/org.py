"""``/admin/org`` (组织与链条): units, sections with the four-level chain of each (names and phones,
today's stand-ins), people, stand-ins and groups; the edit pages of a section's chain and a unit's
主要领导. Office and admin edit; 纪检组 reads; a leader reads their own units; others get 403."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.changes import clean_id
from bot.org.directory import Directory, load_directory, role_labels
from bot.org.people import assign_principal, assign_section
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_forms import path_id, read_form, save_change, today, user_message
from bot.web.errors import PageError
from models.org import Department, Person, Role, Unit

routes = web.RouteTableDef()

READERS = (Role.OFFICE, Role.ADMIN, Role.DISCIPLINE, Role.PRINCIPAL, Role.DEPUTY)
SAVED = {
    "chain": "已保存股室的负责人和分管领导。",
    "principal": "已保存主要领导。",
    "person": "已保存人员信息。",
    "person_add": "已新增人员。",
    "move": "已调动人员：今后TA提交的事项走新股室的链条；调动前的事项和待审批环节不变。",
    "stand_in": "已保存代理安排。",
    "stand_in_end": "已结束代理安排。",
    "group": "已保存群信息。",
}
NOT_FOUND = PageError(404, "没有找到", "没有这一项（可能已被删除），请从组织与链条重新进入。")


async def visible_unit_ids(viewer: ConsoleViewer) -> set[int] | None:
    """None: the whole organisation; else the units a leader may read (theirs and their sections')."""
    if viewer.whole_organisation:
        return None
    units = set(viewer.unit_ids)
    if viewer.department_ids:
        depts = await Department.filter(
            organisation_id=viewer.organisation_id, id__in=list(viewer.department_ids)
        )
        units |= {d.unit_id for d in depts}
    return units


def can_edit(viewer: ConsoleViewer) -> bool:
    return viewer.has(Role.OFFICE, Role.ADMIN)


async def directory_for(request: web.Request, viewer: ConsoleViewer) -> Directory:
    return await load_directory(viewer.organisation_id, today(request), await visible_unit_ids(viewer))


@routes.get("/admin/org")
async def org_page(request: web.Request) -> web.Response:
    """The whole structure, read-only for readers, with edit links for office and admin."""
    viewer = await console_viewer(request, *READERS)
    directory = await directory_for(request, viewer)
    context = {
        "viewer": viewer, "directory": directory, "can_edit": can_edit(viewer), "role_labels": role_labels,
        "saved": SAVED.get(request.query.get("saved", ""), ""), "today": today(request),
        "error": "", "form": {},
    }  # fmt: skip
    return await render_console(request, "console/org/index.html.j2", context)


async def _section(viewer: ConsoleViewer, request: web.Request) -> Department:
    dept = await Department.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if dept is None:
        raise NOT_FOUND
    return dept


async def _chain_form(request: web.Request, viewer: ConsoleViewer, dept: Department, error: str = "",
                      status: int = 200) -> web.Response:  # fmt: skip
    unit = await Unit.get(id=dept.unit_id)
    people = await Person.filter(organisation_id=viewer.organisation_id, active=True).order_by(
        "unit_id", "id"
    )
    context = {"viewer": viewer, "dept": dept, "unit": unit, "people": people, "error": error}
    return await render_console(request, "console/org/section.html.j2", context, status=status)


@routes.get("/admin/org/sections/{id}")
async def section_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    return await _chain_form(request, viewer, await _section(viewer, request))


@routes.post("/admin/org/sections/{id}")
async def section_save(request: web.Request) -> web.Response:
    """Set the section's 股室负责人 and 分管领导 (audited)."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    dept = await _section(viewer, request)
    try:
        head, deputy = clean_id(form.get("head"), "股室负责人"), clean_id(form.get("deputy"), "分管领导")
        await save_change(
            request, viewer, lambda: assign_section(viewer.organisation_id, dept.id, head, deputy)
        )
    except UserError as error:
        return await _chain_form(request, viewer, dept, user_message(error), status=400)
    raise web.HTTPSeeOther(f"/admin/org?saved=chain#unit-{dept.unit_id}")


async def _unit(viewer: ConsoleViewer, request: web.Request) -> Unit:
    unit = await Unit.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if unit is None:
        raise NOT_FOUND
    return unit


async def _principal_form(request: web.Request, viewer: ConsoleViewer, unit: Unit, error: str = "",
                          status: int = 200) -> web.Response:  # fmt: skip
    people = await Person.filter(organisation_id=viewer.organisation_id, active=True).order_by(
        "unit_id", "id"
    )
    context = {"viewer": viewer, "unit": unit, "people": people, "error": error}
    return await render_console(request, "console/org/unit.html.j2", context, status=status)


@routes.get("/admin/org/units/{id}")
async def unit_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    return await _principal_form(request, viewer, await _unit(viewer, request))


@routes.post("/admin/org/units/{id}")
async def unit_save(request: web.Request) -> web.Response:
    """Set the unit's 主要领导 (audited)."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    unit = await _unit(viewer, request)
    try:
        principal = clean_id(form.get("principal"), "主要领导")
        await save_change(
            request, viewer, lambda: assign_principal(viewer.organisation_id, unit.id, principal)
        )
    except UserError as error:
        return await _principal_form(request, viewer, unit, user_message(error), status=400)
    raise web.HTTPSeeOther(f"/admin/org?saved=principal#unit-{unit.id}")
