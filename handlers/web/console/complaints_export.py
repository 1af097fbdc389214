"""``/admin/complaints.xlsx``: the ledger (台账) as a workbook, with the list's filters (状态, 渠道,
承办股室) and the viewer's scope — the download holds exactly the complaints the list shows, every
page of them."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot.complaints.queries import LedgerFilters, LedgerScope, filtered, parse_filters
from bot.complaints.workflow import CHANNEL_TITLES, STATE_TITLES
from bot.reports.ledger_xlsx import ledger_workbook
from bot.runtime.resources import RESOURCES
from bot.web.console import CONSOLE_ROLES, ConsoleViewer, console_viewer
from models.org import Department, Organisation

routes = web.RouteTableDef()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def describe(viewer: ConsoleViewer, filters: LedgerFilters) -> str:
    """The “筛选条件：…” line of the download."""
    parts = [f"范围：{viewer.scope.label}"]
    if filters.state is not None:
        parts.append(f"状态：{STATE_TITLES[filters.state]}")
    if filters.channel is not None:
        parts.append(f"渠道：{CHANNEL_TITLES[filters.channel]}")
    if filters.department_id is not None:
        dept = await Department.get_or_none(id=filters.department_id, organisation_id=viewer.organisation_id)
        parts.append(f"承办股室：{dept.name if dept else '（无）'}")
    return "筛选条件：" + "；".join(parts)


@routes.get("/admin/complaints.xlsx")
async def ledger_xlsx(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    resources = request.app[RESOURCES]
    filters = parse_filters(request.query)
    scope = LedgerScope(
        viewer.organisation_id, viewer.whole_organisation, viewer.unit_ids, viewer.department_ids
    )
    organisation = await Organisation.get(id=viewer.organisation_id)
    now = resources.clock.now().astimezone(resources.settings.tz)
    body = await ledger_workbook(
        filtered(scope, filters),
        title=f"{organisation.name}办不成事投诉台账",
        note=f"{await describe(viewer, filters)}　　导出时间：{now:%Y-%m-%d %H:%M}",
        tz=resources.settings.tz,
    )
    name = quote(f"办不成事投诉台账_{now:%Y%m%d}.xlsx")
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename=\"ledger-{now:%Y%m%d}.xlsx\"; filename*=UTF-8''{name}"
        },
    )
