"""The 分析研判 section of the office's quarterly digest: the headline indicators of
`bot.reports.analysis` in a few lines, with the link to the console page."""

from __future__ import annotations

import datetime as dt

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import WorkCalendar
from bot.matters.scoping import Scope
from bot.reports.analysis import quarter_analysis
from bot.reports.analysis_filters import step_limit_hours
from bot.reports.showcase_digest import showcase_section
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


async def office_sections(
    settings: Settings, organisation_id: int, quarter: Quarter, calendar: WorkCalendar, now: dt.datetime
) -> str:
    """What only the office's digest carries: 分析研判, then the quarter's 典型案例 (if any)."""
    parts = (
        await analysis_section(settings, organisation_id, quarter, calendar, now),
        await showcase_section(organisation_id, quarter, calendar.tz, settings.public_url),
    )
    return "\n\n".join(part.strip() for part in parts if part.strip())
