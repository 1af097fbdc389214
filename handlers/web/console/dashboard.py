"""``/admin``: the console's overview (总览) of the viewer's matters — open by level and age, the
预警 of deadlines, this quarter against the last, the sections' bars, the trend of refusals, the
replies due today and the units that have not confirmed their quarterly table. Every figure links
to the matters list with the filters that give its matters."""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from bot.calendar.workdays import load_calendar
from bot.reports.dashboard import AGE_BUCKETS
from bot.reports.dashboard_lists import Overview, overview
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer, matters_url, render_console
from bot.web.svg import BarRow, TrendPoint, grouped_bars, trend_chart
from models.enums import Action

routes = web.RouteTableDef()

# (figure, its words, the list's filters besides the quarter) of the quarter comparison.
QUARTER_ROWS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("submitted", "受理", {}),
    ("can_do", "能办", {"outcome": Action.CAN_DO.value}),
    ("refused", "确认不能办", {"outcome": Action.CONFIRM_NO.value}),
    ("withdrawn", "撤回", {"state": "withdrawn"}),
    ("open", "审批中", {"state": "pending"}),
    ("overdue", "已超时未办结", {"overdue": "1"}),
)


def section_chart(figures: Overview) -> Markup:
    rows = [
        BarRow(
            label=bar.name,
            values=(bar.this_quarter, bar.last_quarter),
            href=matters_url(department=bar.department_id, quarter=figures.this_quarter),
            title=f"{bar.unit_name} {bar.name}：本季度 {bar.this_quarter}，上季度 {bar.last_quarter}",
        )
        for bar in figures.sections
    ]
    return grouped_bars(rows, classes=("", "prev"), label="各股室本季度与上季度受理事项")


def refusal_trend(figures: Overview) -> Markup:
    points = [
        TrendPoint(
            label=str(q.quarter),
            total=q.submitted,
            highlight=q.refused,
            href=matters_url(quarter=q.quarter),
            highlight_href=matters_url(quarter=q.quarter, outcome=Action.CONFIRM_NO.value),
        )
        for q in figures.quarters
    ]
    return trend_chart(
        points, label="近六个季度受理与确认不能办", total_name="受理", highlight_name="确认不能办"
    )


async def _overview(request: web.Request, viewer: ConsoleViewer) -> Overview:
    resources = request.app[RESOURCES]
    now = resources.clock.now()
    calendar = await load_calendar(
        resources.settings, viewer.organisation_id, today=now.astimezone(resources.settings.tz).date()
    )
    return await overview(viewer.organisation_id, viewer.scope, calendar, now)


@routes.get("/admin")
async def dashboard(request: web.Request) -> web.Response:
    """The overview of the viewer's matters (a leader: their units and sections)."""
    viewer = await console_viewer(request)
    figures = await _overview(request, viewer)
    context = {
        "viewer": viewer,
        "o": figures,
        "section_chart": section_chart(figures),
        "refusal_trend": refusal_trend(figures),
        "age_buckets": AGE_BUCKETS,
        "quarter_rows": QUARTER_ROWS,
        "tz": request.app[RESOURCES].settings.tz,
    }
    return await render_console(request, "console/dashboard.html.j2", context)
