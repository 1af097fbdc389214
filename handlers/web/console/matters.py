"""``/admin/matters``: the list of matters with its filters (state, unit, section, level, quarter,
overdue, text) and paging, and ``/admin/matters/{number}``: one matter with its full timeline, the
典型案例 mark and the 通报 form. Leaders see their units and sections only."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.calendar.workdays import load_calendar
from bot.complaints.about import complaint_events, complaints_about
from bot.errors import UserError
from bot.matters.notices import notice_draft
from bot.matters.scoping import matters_in
from bot.matters.search import OUTCOME_TITLES, PAGE_SIZE, FilterError, MatterFilter, search_matters
from bot.matters.showcase import SHOWCASE_NOTE_MAX, mark_showcase, showcase_state, unmark_showcase
from bot.matters.timeline import matter_timeline
from bot.matters.views import LEVEL_TITLES, STATE_TITLES
from bot.reports.analysis_filters import step_limit_hours
from bot.reports.list_extras import ListExtras, list_extras
from bot.runtime.resources import RESOURCES
from bot.web.console import console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from handlers.web.console.complaints import ledger_scope
from handlers.web.console.matter_access import form_text, moment, org_names, visible_matter
from models.matter import Matter
from models.notices import NOTICE_TEXT_MAX
from models.org import Department, GroupChannel, Person, Role, Unit

routes = web.RouteTableDef()

EDIT_ROLES = (Role.OFFICE, Role.ADMIN)


@routes.get("/admin/matters")
async def matter_list(request: web.Request) -> web.Response:
    viewer = await console_viewer(request)
    now, tz = moment(request)
    units, departments = await org_names(viewer.organisation_id)
    error, status = "", 200
    try:
        wanted = MatterFilter.from_params(request.query)
    except FilterError as problem:
        wanted, error, status = MatterFilter(), problem.message, 400
    extras = await _extras(request, viewer.organisation_id, now)
    if isinstance(extras, str):
        error, status, extras = (f"{error}；{extras}" if error else extras), 400, ListExtras()
    scope = matters_in(viewer.organisation_id, viewer.scope) & extras.where
    page = await search_matters(scope, wanted, now=now, tz=tz)
    paging = {
        "prev": "?" + urlencode({**wanted.params(page=page.page - 1), **extras.params})
        if page.page > 1
        else "",
        "next": "?" + urlencode({**wanted.params(page=page.page + 1), **extras.params})
        if page.page < page.pages
        else "",
    }
    described = wanted.describe(units, departments)
    if extras.words:
        described = f"{described}；{extras.words}"
    context = {
        "viewer": viewer,
        "wanted": wanted,
        "error": error,
        "page": page,
        "page_size": PAGE_SIZE,
        "paging": paging,
        "described": described,
        "units": units,
        "departments": departments,
        "states": STATE_TITLES,
        "outcomes": OUTCOME_TITLES,
        "levels": LEVEL_TITLES,
        "tz": tz,
    }
    return await render_console(request, "console/matters.html.j2", context, status=status)


async def _extras(request: web.Request, organisation_id: int, now: dt.datetime) -> ListExtras | str:
    """The figures' filters (`bot.reports.list_extras`), or what is wrong with them."""
    settings = request.app[RESOURCES].settings
    calendar = await load_calendar(settings, organisation_id)
    try:
        return list_extras(
            request.query, calendar=calendar, step_limit_hours=step_limit_hours(settings, calendar), now=now
        )
    except ValueError as problem:
        return str(problem)


async def _detail_context(request: web.Request, matter: Matter) -> dict[str, object]:
    unit = await Unit.get(id=matter.unit_id)
    department = await Department.get(id=matter.department_id)
    groups = await GroupChannel.filter(organisation_id=matter.organisation_id).order_by("kind", "id")
    _, tz = moment(request)
    return {
        "matter": matter,
        "unit": unit,
        "department": department,
        "submitter": await Person.get(id=matter.submitter_id),
        "events": sorted(
            [*await matter_timeline(matter), *await complaint_events(matter)], key=lambda e: e.at
        ),
        "complaints": await complaints_about(matter, ledger_scope(await console_viewer(request))),
        "state_title": STATE_TITLES[matter.state],
        "level_title": LEVEL_TITLES.get(matter.level, ""),
        "groups": groups,
        "notice_draft": notice_draft(matter, unit, department),
        "notice_key": secrets.token_urlsafe(24),
        "notice_max": NOTICE_TEXT_MAX,
        "note_max": SHOWCASE_NOTE_MAX,
        "tz": tz,
    }


async def render_detail(
    request: web.Request, matter: Matter, *, error: str = "", status: int = 200, **extra: object
) -> web.Response:
    viewer = await console_viewer(request)
    context = {"viewer": viewer, "error": error, **await _detail_context(request, matter), **extra}
    context["may_edit"] = viewer.has(*EDIT_ROLES)
    return await render_console(request, "console/matter.html.j2", context, status=status)


@routes.get("/admin/matters/{number}")
async def matter_detail(request: web.Request) -> web.Response:
    viewer = await console_viewer(request)
    matter = await visible_matter(viewer, request.match_info["number"])
    done = {"marked": "已标记为典型案例。", "unmarked": "已取消典型案例。"}.get(
        request.query.get("done", ""), ""
    )
    return await render_detail(request, matter, done=done)


@routes.post("/admin/matters/{number}/showcase")
async def matter_showcase(request: web.Request) -> web.Response:
    """Mark (``action=mark`` with ``note``) or unmark (``action=unmark``) a typical case, audited."""
    viewer = await console_viewer(request, *EDIT_ROLES)
    form = await posted(request)
    await check_csrf(request, form)
    matter = await visible_matter(viewer, request.match_info["number"])
    action, note = form_text(form, "action"), form_text(form, "note")
    if action not in {"mark", "unmark"}:
        return await render_detail(
            request, matter, error="请选择“标记为典型案例”或“取消典型案例”。", status=400
        )
    now, _ = moment(request)
    try:
        async with in_transaction():
            fresh = await Matter.select_for_update().get(id=matter.id)
            before = showcase_state(fresh)
            what = await mark_showcase(fresh, note, now) if action == "mark" else await unmark_showcase(fresh)
            await audit_change(
                viewer.actor,
                viewer.organisation_id,
                what,
                before,
                showcase_state(fresh),
                subject=fresh.number,
                at=now,
            )
    except UserError as problem:
        return await render_detail(request, matter, error=problem.message, status=400, note=note)
    done = "marked" if action == "mark" else "unmarked"
    raise web.HTTPSeeOther(f"/admin/matters/{matter.number}?done={done}#showcase")
