"""The 典型案例 section of the office's quarterly digest: the cases the office marked in the quarter
(``Matter.showcase_at``), each with its number, subject and write-up (policy: typical cases are
publicised)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.calendar.quarters import Quarter
from bot.texts import render_text
from models.matter import Matter

SHOWN = 10  # a digest is read in a chat: the rest are on /admin/cases
PAGE = "/admin/cases"


async def showcase_section(
    organisation_id: int, quarter: Quarter, tz: ZoneInfo, public_url: str | None
) -> str:
    """The section's markdown; empty when nothing was marked in the quarter."""
    marked = Matter.filter(
        organisation_id=organisation_id,
        showcase=True,
        showcase_at__gte=quarter.start_at(tz),
        showcase_at__lt=quarter.end_at(tz),
    )
    total = await marked.count()
    if not total:
        return ""
    cases = await marked.order_by("showcase_at", "id").limit(SHOWN)
    link = public_url.rstrip("/") + PAGE if public_url else ""
    return render_text("digest_showcase.md.j2", cases=cases, total=total, link=link)
