"""``/admin/reports``: the quarter's table (季度报表) on screen and as the .xlsx, and every unit's
report against the 5th-working-day deadline — remind a unit or confirm on its behalf.

Office and admin change (remind / confirm, each audited); 纪检组 reads everything; a principal
reads the units they lead (a deputy, whose scope is sections, is told to ask the office)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import quote

from aiohttp import web

from bot.calendar.hours import working_time_text
from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import load_calendar
from bot.reports.digest import summary_filename
from bot.reports.pending import pending_list
from bot.reports.report_status import confirm_for_unit, remind_unit, unit_reports
from bot.reports.stats import QuarterStats, quarter_stats
from bot.reports.xlsx import TableRequest, period_note, quarter_workbook
from bot.runtime.resources import RESOURCES
from bot.texts import format_local
from bot.web.console import CONSOLE_ROLES, ConsoleViewer, console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.inputs import decimal
from bot.web.sessions import get_session
from models.enums import WITHDRAW_REASON_TITLES, WithdrawReason
from models.org import Organisation, Role

routes = web.RouteTableDef()
NOTICE_KEY = "reports_notice"  # the last 提醒 / 代为确认's words, shown once after the redirect

CHANGERS = (Role.OFFICE, Role.ADMIN)
READ_ALL = (Role.OFFICE, Role.ADMIN, Role.DISCIPLINE)
QUARTERS_LISTED = 8
FIRST_YEAR = 2000
MAX_ID = 2**31 - 1


def _now(request: web.Request) -> dt.datetime:
    return request.app[RESOURCES].clock.now()


def _quarter(request: web.Request, raw: str | None) -> Quarter:
    """The quarter asked for (default: the last one, the one being reported), never a future one."""
    resources = request.app[RESOURCES]
    current = Quarter.of_moment(_now(request), resources.settings.tz)
    if not raw:
        return current.previous()
    try:
        quarter = parse_quarter(raw.strip()[:32])
    except ValueError as error:
        raise PageError(400, "季度有误", str(error)) from None
    if quarter > current or quarter.year < FIRST_YEAR:
        raise PageError(400, "季度有误", f"{quarter.label}没有数据：请选择 {FIRST_YEAR} 年至本季度之间的季度")
    return quarter


def _units_for(viewer: ConsoleViewer, stats: QuarterStats) -> list[int]:
    """The units the viewer may see the table of."""
    if viewer.has(*READ_ALL):
        return [u.unit_id for u in stats.units]
    return [u.unit_id for u in stats.units if u.unit_id in viewer.unit_ids]


def _unit(request: web.Request, viewer: ConsoleViewer, stats: QuarterStats, raw: str | None) -> int | None:
    """The unit filter: None for the whole organisation (oversight only)."""
    allowed = _units_for(viewer, stats)
    if not raw:
        if viewer.has(*READ_ALL):
            return None
        if not allowed:
            raise PageError(
                403, "没有权限", "季度报表按单位提供：你分管的是股室，请向活动办公室或本单位主要领导索取。"
            )
        return allowed[0]
    unit_id = decimal(raw, MAX_ID)
    if unit_id is None or unit_id not in allowed:
        raise PageError(404, "没有这个单位", "请从单位列表中选择。")
    return unit_id


async def _stats(request: web.Request, viewer: ConsoleViewer, quarter: Quarter) -> QuarterStats:
    resources = request.app[RESOURCES]
    now = _now(request)
    calendar = await load_calendar(
        resources.settings, viewer.organisation_id, today=now.astimezone(resources.settings.tz).date()
    )
    return await quarter_stats(viewer.organisation_id, quarter, calendar, now=now)


def _quarters(request: web.Request) -> list[Quarter]:
    current = Quarter.of_moment(_now(request), request.app[RESOURCES].settings.tz)
    listed = [current]
    while len(listed) < QUARTERS_LISTED:
        listed.append(listed[-1].previous())
    return listed


async def _page(
    request: web.Request, viewer: ConsoleViewer, quarter: Quarter, raw_unit: str | None,
    notice: Mapping[str, str] | None = None, status: int = 200,
) -> web.Response:  # fmt: skip
    stats = await _stats(request, viewer, quarter)
    tz = request.app[RESOURCES].settings.tz
    unit_id = _unit(request, viewer, stats, raw_unit)
    allowed = _units_for(viewer, stats)
    unit = None if unit_id is None else stats.unit(unit_id)
    filters = TableRequest("", _now(request), unit_id).filters(stats)
    reports = (
        await unit_reports(viewer.organisation_id, quarter, _now(request)) if viewer.has(*READ_ALL) else []
    )
    download = f"/admin/reports/{quarter}.xlsx" + ("" if unit_id is None else f"?unit={unit_id}")
    context = {
        "viewer": viewer,
        "stats": stats,
        "quarter": quarter,
        "quarters": _quarters(request),
        "units": [u for u in stats.units if u.unit_id in allowed],
        "unit": unit,
        "rows": [(s.name, s.counts) for s in unit.sections]
        if unit
        else [(u.name, u.counts, u.unit_id) for u in stats.units],
        "total": unit.counts if unit else stats.totals,
        "pending": await pending_list(stats, unit_id),
        "period": period_note(stats),
        "filters": filters,
        "download": download,
        "reports": reports,
        "may_change": viewer.has(*CHANGERS),
        "notice": notice,
        "withdraw_reasons": list(WithdrawReason),
        "withdraw_titles": [WITHDRAW_REASON_TITLES[r] for r in WithdrawReason],
        "working_time": working_time_text,
        "local": lambda moment: format_local(moment, tz),
    }
    return await render_console(request, "console/reports.html.j2", context, status=status)


@routes.get("/admin/reports")
async def reports_page(request: web.Request) -> web.Response:
    """The quarter's table with its filters, the download, and the units' report status."""
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    quarter = _quarter(request, request.query.get("quarter"))
    said = (await get_session(request)).pop(NOTICE_KEY, None)
    notice = {"kind": "ok", "text": said} if isinstance(said, str) else None
    return await _page(request, viewer, quarter, request.query.get("unit"), notice)


@routes.get("/admin/reports/{quarter}.xlsx")
async def reports_download(request: web.Request) -> web.Response:
    """The quarter's workbook (whole organisation, or ``?unit=``), every matter listed."""
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    quarter = _quarter(request, request.match_info["quarter"])
    stats = await _stats(request, viewer, quarter)
    unit_id = _unit(request, viewer, stats, request.query.get("unit"))
    resources = request.app[RESOURCES]
    organisation = await Organisation.get(id=viewer.organisation_id)
    calendar = await load_calendar(resources.settings, viewer.organisation_id)
    made = TableRequest(organisation.name, _now(request), unit_id)
    body = await quarter_workbook(stats, calendar, made)
    name = summary_filename(quarter, None if unit_id is None else stats.unit(unit_id).name)
    return web.Response(
        body=body,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )


async def _act(request: web.Request, action: str) -> web.Response:
    viewer = await console_viewer(request, *CHANGERS)
    form = await posted(request)
    await check_csrf(request, form)
    raw_quarter, raw_unit = form.get("quarter"), form.get("unit")
    quarter = _quarter(request, raw_quarter if isinstance(raw_quarter, str) else None)
    unit_id = decimal(raw_unit, MAX_ID) if isinstance(raw_unit, str) else None
    resources = request.app[RESOURCES]
    organisation = await Organisation.get(id=viewer.organisation_id)
    now = _now(request)

    async def audit(before: Mapping[str, object], after: Mapping[str, object]) -> None:
        subject = f"report:{quarter}:unit:{unit_id}"
        await audit_change(
            viewer.actor, viewer.organisation_id, f"report.{action}", before, after, subject=subject, at=now
        )

    try:
        if unit_id is None:
            raise ValueError("没有选择单位，请从列表中点按钮")
        if action == "remind":
            message = await remind_unit(resources, organisation, quarter, unit_id, viewer.label, audit)
        else:
            message = await confirm_for_unit(
                resources, organisation, quarter, unit_id, viewer.person, viewer.label, audit
            )
    except ValueError as error:
        return await _page(request, viewer, quarter, None, {"kind": "error", "text": str(error)}, status=400)
    # Post/redirect/get: a reload of the page shown next does not remind or confirm again.
    (await get_session(request))[NOTICE_KEY] = message
    raise web.HTTPSeeOther(f"/admin/reports?quarter={quarter}")


@routes.post("/admin/reports/remind")
async def reports_remind(request: web.Request) -> web.Response:
    """提醒: the unit's group and principal get the reminder now."""
    return await _act(request, "remind")


@routes.post("/admin/reports/confirm")
async def reports_confirm(request: web.Request) -> web.Response:
    """代为确认: the office confirms the unit's 汇总表 on its behalf."""
    return await _act(request, "confirm")
