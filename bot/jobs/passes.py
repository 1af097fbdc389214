"""The table of scheduled work: every pass, run for every organisation as of now (arq cron, the
simulator's tick and a catch-up after downtime all call `run_due_work`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.calendar.workdays import load_calendar
from bot.jobs.complaint_reminders import remind_overdue_complaints
from bot.jobs.consultations import lapse_consultations
from bot.jobs.digest import post_due_digest
from bot.jobs.duty import Duty
from bot.jobs.morning import send_morning_cards
from bot.jobs.reply_reminders import remind_owed_replies
from bot.jobs.report_reminders import remind_reports
from bot.jobs.step_reminders import remind_open_steps
from bot.jobs.weekly_warnings import send_weekly_warnings
from bot.runtime.resources import Resources
from models.org import Organisation

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pass:
    """One kind of scheduled work: ``run(duty)`` does what is due for one organisation as of now."""

    name: str
    run: Callable[[Duty], Awaitable[None]]


SCHEDULE: tuple[Pass, ...] = (
    # The 会商 deadline first: a lapsed consultation's steps are closed, not chased again.
    Pass("consultations", lapse_consultations),
    Pass("reminders", remind_open_steps),
    Pass("reminders", remind_owed_replies),
    Pass("morning_cards", send_morning_cards),
    Pass("reminders", remind_overdue_complaints),
    Pass("digest", post_due_digest),
    Pass("report_tasks", remind_reports),
    Pass("weekly_warnings", send_weekly_warnings),
)
PASSES: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in SCHEDULE))


async def run_due_work(resources: Resources) -> dict[str, int]:
    """Run every pass for every organisation as of ``resources.clock.now()``.

    Returns, for each of ``PASSES`` (all run: each decides for itself whether anything is due), how
    many messages it queued — the simulator's tick names only the passes that sent something.
    """
    now = resources.clock.now()
    failures: list[str] = []
    queued = dict.fromkeys(PASSES, 0)
    for organisation in await Organisation.all().order_by("id"):
        calendar = await load_calendar(
            resources.settings, organisation.id, today=now.astimezone(resources.settings.tz).date()
        )
        duty = Duty(resources, organisation, calendar, now)
        for scheduled in SCHEDULE:
            # One failing pass (bad data, a template error) must not hold back the others; the
            # failure is raised at the end so the cron job and the simulator's tick report it.
            before = duty.queued
            try:
                await scheduled.run(duty)
            except Exception:
                log.exception("duty pass %s failed for organisation %s", scheduled.name, organisation.code)
                failures.append(f"{organisation.code}:{scheduled.run.__name__}")
            queued[scheduled.name] += duty.queued - before
    if failures:
        raise RuntimeError(f"scheduled work failed: {', '.join(failures)}")
    return queued
