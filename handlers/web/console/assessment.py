"""``/admin/assessment``: 年度绩效考核 per unit, section and person (`bot.reports.assessment`), and
its .xlsx (``/admin/assessment.xlsx?year=2026``). The office, 纪检组 and admins see the
organisation, leaders their units and sections."""

from __future__ import annotations

from urllib.parse import quote

from aiohttp import web

from bot.reports.analysis_filters import step_limit_hours
from bot.reports.assessment import Assessment, year_assessment
from bot.reports.assessment_xlsx import FIGURE_HEADERS, SHORT_HEADERS, assessment_workbook, row_figures
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.errors import PageError
from handlers.web.console.analysis import FIRST_YEAR, LAST_YEAR, viewer_calendar
from models.org import Organisation

routes = web.RouteTableDef()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chosen_year(request: web.Request, default: int) -> int:
    raw = request.query.get("year", "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise PageError(400, "年份有误", f"年份请写成 4 位数字，{FIRST_YEAR} 至 {LAST_YEAR} 之间，例如 2026")
    return int(raw)


async def _assessment(request: web.Request, viewer: ConsoleViewer) -> Assessment:
    settings = request.app[RESOURCES].settings
    now, calendar = await viewer_calendar(request, viewer)
    year = chosen_year(request, now.astimezone(settings.tz).year)
    return await year_assessment(
        viewer.organisation_id,
        viewer.scope,
        year,
        tz=settings.tz,
        now=now,
        step_limit_hours=step_limit_hours(settings, calendar),
    )


def _this_year(request: web.Request) -> int:
    resources = request.app[RESOURCES]
    return resources.clock.now().astimezone(resources.settings.tz).year


@routes.get("/admin/assessment")
async def assessment_page(request: web.Request) -> web.Response:
    """The year's table per unit, section and person."""
    viewer = await console_viewer(request)
    assessment = await _assessment(request, viewer)
    context = {
        "viewer": viewer,
        "a": assessment,
        "headers": list(zip(SHORT_HEADERS, FIGURE_HEADERS, strict=True)),
        "row_figures": row_figures,
        "previous": assessment.year - 1,
        "following": assessment.year + 1 if assessment.year < _this_year(request) else None,
    }
    return await render_console(request, "console/assessment.html.j2", context)


@routes.get("/admin/assessment.xlsx")
async def assessment_xlsx(request: web.Request) -> web.Response:
    """The same table as an .xlsx (sheets 单位, 股室, 个人)."""
    viewer = await console_viewer(request)
    assessment = await _assessment(request, viewer)
    organisation = await Organisation.get(id=viewer.organisation_id)
    body = assessment_workbook(assessment, organisation.name)
    name = quote(f"说不事项提级管理年度考核_{assessment.year}.xlsx")
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename=\"assessment-{assessment.year}.xlsx\"; filename*=UTF-8''{name}"
        },
    )
