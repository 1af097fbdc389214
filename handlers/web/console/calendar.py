"""``/admin/calendar`` (日历): the year's working-day calendar as month grids — the State Council's
holidays and 调休 from the ``holidays`` package, plus this organisation's overrides, each with a
note — and a warning for the years the package does not cover. Office and admin add or clear an
override (audited); the other console roles read."""

from __future__ import annotations

import datetime as dt

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.calendar.grid import GRID_WEEKDAYS, year_grid
from bot.calendar.overrides import save_override
from bot.calendar.schedule import unknown_year_warning
from bot.calendar.workdays import load_calendar
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import Form, now, read_form, today
from bot.web.errors import PageError
from bot.web.inputs import decimal
from handlers.web.console.org import READERS, can_edit
from models.calendar import HolidayOverride
from models.org import Role

routes = web.RouteTableDef()
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year(request: web.Request, fallback: int) -> int:
    raw = request.query.get("year", "")
    if not raw:
        return fallback
    year = decimal(raw, LAST_YEAR)
    if year is None or year < FIRST_YEAR:
        raise PageError(400, "年份不对", f"请选择 {FIRST_YEAR} 至 {LAST_YEAR} 年之间的年份。")
    return year


async def _page(request: web.Request, viewer: ConsoleViewer, year: int, *, error: str = "",
                form: Form | None = None, status: int = 200) -> web.Response:  # fmt: skip
    settings = request.app[RESOURCES].settings
    this_year = today(request).year
    calendar = await load_calendar(settings, viewer.organisation_id, today=today(request))
    rows = await HolidayOverride.filter(
        organisation_id=viewer.organisation_id, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
    ).order_by("date")
    months = year_grid(calendar, year, {r.date: r.note for r in rows})
    checked = sorted({year, this_year, this_year + 1})
    context = {
        "viewer": viewer, "year": year, "months": months, "weekdays": GRID_WEEKDAYS, "overrides": rows,
        "warnings": [unknown_year_warning(y) for y in calendar.unknown_years(checked)],
        "workdays": sum(m.workdays for m in months), "can_edit": can_edit(viewer), "error": error,
        "form": form.values if form else {}, "saved": request.query.get("saved") == "1",
    }  # fmt: skip
    return await render_console(request, "console/calendar/index.html.j2", context, status=status)


@routes.get("/admin/calendar")
async def calendar_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *READERS)
    return await _page(request, viewer, _year(request, today(request).year))


@routes.post("/admin/calendar")
async def calendar_save(request: web.Request) -> web.Response:
    """Set (上班 / 休息, with a note) or clear one day's override; audited before → after."""
    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)
    form = await read_form(request)
    try:
        async with in_transaction():
            day, before, after = await save_override(
                viewer.organisation_id, form.get("date"), form.get("kind"), form.get("note")
            )
            await audit_change(viewer.actor, viewer.organisation_id, "calendar.override", before, after,
                               subject=f"holiday:{day.isoformat()}", at=now(request))  # fmt: skip
    except ValueError as error:
        return await _page(request, viewer, today(request).year, error=str(error), form=form, status=400)
    raise web.HTTPSeeOther(f"/admin/calendar?year={day.year}&saved=1")
