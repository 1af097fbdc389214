"""``digest``: last quarter's digest and 汇总表, posted from 09:00 of this quarter's first working day."""

from __future__ import annotations

from bot.calendar.quarters import Quarter
from bot.jobs.duty import Duty
from bot.reports.digest import DIGEST_KIND, DIGEST_SUBJECT, DIGEST_TIME, post_digest
from bot.reports.tasks import report_due_at
from models.messaging import OutboxMessage


async def post_due_digest(duty: Duty) -> None:
    """``digest``: last quarter's digest, from 09:00 of this quarter's first working day."""
    current = Quarter.containing(duty.today)
    first_day = duty.calendar.workday_on_or_after(current.first_day)
    starts = duty.calendar.at_local(first_day, DIGEST_TIME)
    deadline = report_due_at(duty.calendar, current.previous(), duty.resources.settings.report_working_days)
    if not starts <= duty.now <= deadline:
        return
    if await duty.done(DIGEST_KIND, [DIGEST_SUBJECT], str(current.previous())):
        return
    reported = current.previous()
    if await post_digest(duty.resources, duty.organisation, reported, duty.calendar, duty.now) is not None:
        duty.queued += await OutboxMessage.filter(
            organisation_id=duty.organisation.id, dedupe_key__startswith=f"digest:{reported}:"
        ).count()
