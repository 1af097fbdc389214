"""``/admin/rules``: each unit's own 说“不”提级管理制度 (policy §一.4) — scope, the named holders
of each level (from the chain, shown, not retyped), the situations where staff may never say no
directly, the procedure and conditions, accountability; each part with a public flag. Office and
admin edit (audited); 纪检组 reads; a leader reads their own units'."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.rules import PARTS, PUBLIC_FLAGS, UnitRulesView, edit_rules, rules_page
from bot.web.console import ConsoleViewer, console_viewer, nav_for, render_console
from bot.web.console_forms import Form, now, path_id, read_form, save_change, user_message
from bot.web.errors import PageError
from handlers.web.console.org import READERS, can_edit, visible_unit_ids
from models.org import Role, Unit
from models.unit_rules import UnitRules

routes = web.RouteTableDef()
NAV_HOME = "/admin/org"  # the nav has no 制度 entry: the pages sit under 组织与链条, which links here
NOT_FOUND = PageError(404, "没有找到", "没有这个单位，请从制度列表重新进入。")


@routes.get("/admin/rules")
async def rules_list(request: web.Request) -> web.Response:
    """Every unit the viewer may read, and whether its 制度 is written."""
    viewer = await console_viewer(request, *READERS)
    shown = await visible_unit_ids(viewer)
    units = await Unit.filter(organisation_id=viewer.organisation_id).order_by("id")
    units = [u for u in units if shown is None or u.id in shown]
    written = {r.unit_id: r for r in await UnitRules.filter(organisation_id=viewer.organisation_id)}
    context = {
        "viewer": viewer,
        "units": units,
        "written": written,
        "saved": request.query.get("saved") == "1",
        "can_edit": can_edit(viewer),
        "nav": nav_for(viewer, NAV_HOME),
    }
    return await render_console(request, "console/rules/index.html.j2", context)


async def _unit_view(request: web.Request, viewer: ConsoleViewer) -> UnitRulesView:
    unit_id = path_id(request)
    shown = await visible_unit_ids(viewer)
    view = await rules_page(viewer.organisation_id, unit_id)
    if view is None or (shown is not None and unit_id not in shown):
        raise NOT_FOUND
    return view


async def _page(request: web.Request, viewer: ConsoleViewer, view: UnitRulesView, *, error: str = "",
                form: Form | None = None, status: int = 200) -> web.Response:  # fmt: skip
    if form is not None:
        values: dict[str, object] = {name: form.get(name) for name in PARTS}
        values |= {flag: form.get(flag) == "on" for flag in PUBLIC_FLAGS}
    else:
        values = {"scope": view.scope, "never_refuse": "\n".join(view.never_refuse), "procedure": view.procedure,
                  "accountability": view.accountability, **view.public_flags}  # fmt: skip
    context = {
        "viewer": viewer, "view": view, "values": values, "parts": PARTS, "error": error,
        "can_edit": can_edit(viewer), "nav": nav_for(viewer, NAV_HOME),
    }  # fmt: skip
    return await render_console(request, "console/rules/unit.html.j2", context, status=status)


@routes.get("/admin/rules/{id}")
async def unit_rules(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *READERS)
    return await _page(request, viewer, await _unit_view(request, viewer))


@routes.post("/admin/rules/{id}")
async def unit_rules_save(request: web.Request) -> web.Response:
    """Save the unit's 制度 (audited); too long a part is refused with the form kept."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    view = await _unit_view(request, viewer)
    try:
        await save_change(
            request,
            viewer,
            lambda: edit_rules(viewer.organisation_id, view.unit_id, form.values, now=now(request)),
        )
    except UserError as error:
        return await _page(request, viewer, view, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther("/admin/rules?saved=1")
