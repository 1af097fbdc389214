"""``/admin/analysis``: 分析研判 of a quarter (`bot.reports.analysis`); every figure links to the
matters behind it. The office, 纪检组 and admins see the organisation, leaders their units and
sections."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.reports.analysis import quarter_analysis
from bot.reports.analysis_filters import step_limit_hours
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.errors import PageError

routes = web.RouteTableDef()

RECENT = 4  # quarters offered as quick links
FIRST_YEAR, LAST_YEAR = 2000, 2100


def chosen_quarter(request: web.Request, now: dt.datetime) -> Quarter:
    """``?quarter=2026Q3`` (or the running quarter); a 400 page saying the form when unreadable."""
    tz = request.app[RESOURCES].settings.tz
    raw = request.query.get("quarter", "").strip()
    if not raw:
        return Quarter.of_moment(now, tz)
    try:
        quarter = parse_quarter(raw[:32])
    except ValueError as error:
        raise PageError(400, "季度有误", str(error)) from None
    if not FIRST_YEAR <= quarter.year <= LAST_YEAR:
        raise PageError(400, "季度有误", f"只能查看 {FIRST_YEAR} 至 {LAST_YEAR} 年的季度，请改写年份")
    return quarter


async def viewer_calendar(request: web.Request, viewer: ConsoleViewer) -> tuple[dt.datetime, WorkCalendar]:
    resources = request.app[RESOURCES]
    now = resources.clock.now()
    today = now.astimezone(resources.settings.tz).date()
    return now, await load_calendar(resources.settings, viewer.organisation_id, today=today)


@routes.get("/admin/analysis")
async def analysis_page(request: web.Request) -> web.Response:
    """The quarter's headline indicators, refusals, 堵点 and the slowest levels."""
    viewer = await console_viewer(request)
    now, calendar = await viewer_calendar(request, viewer)
    quarter = chosen_quarter(request, now)
    settings = request.app[RESOURCES].settings
    analysis = await quarter_analysis(
        viewer.organisation_id,
        viewer.scope,
        quarter,
        tz=settings.tz,
        now=now,
        step_limit_hours=step_limit_hours(settings, calendar),
    )
    current = Quarter.of_moment(now, settings.tz)
    recent = [current]
    for _ in range(RECENT - 1):
        recent.append(recent[-1].previous())
    context = {
        "viewer": viewer,
        "a": analysis,
        "quarter": quarter,
        "previous": quarter.previous(),
        "following": quarter.next() if quarter < current else None,
        "recent": recent,
        "running": quarter == current,
    }
    return await render_console(request, "console/analysis.html.j2", context)
