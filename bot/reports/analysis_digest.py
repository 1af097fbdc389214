"""The 分析研判 section of the office's quarterly digest: the headline indicators of
`bot.reports.analysis` in a few lines, with the link to the console page."""

from __future__ import annotations

import datetime as dt

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import WorkCalendar
from bot.matters.scoping import Scope
from bot.reports.analysis import quarter_analysis
from bot.reports.analysis_filters import step_limit_hours
from bot.settings import Settings
from bot.texts import render_text

PAGE = "/admin/analysis?quarter={quarter}"


async def analysis_section(
    settings: Settings, organisation_id: int, quarter: Quarter, calendar: WorkCalendar, now: dt.datetime
) -> str:
    """The digest's 分析研判 lines for the whole organisation (markdown)."""
    analysis = await quarter_analysis(
        organisation_id,
        Scope("全单位", whole_organisation=True),
        quarter,
        tz=calendar.tz,
        now=now,
        step_limit_hours=step_limit_hours(settings, calendar),
    )
    page = PAGE.format(quarter=quarter)
    link = settings.public_url.rstrip("/") + page if settings.public_url else ""
    return render_text("digest_analysis.md.j2", a=analysis, link=link)
