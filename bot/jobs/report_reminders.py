"""``report_day4`` / ``report_day5``: units that have not confirmed last quarter's 汇总表."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.calendar.quarters import Quarter, parse_quarter
from bot.jobs.duty import Duty
from bot.outbox.batch import OutboxBatch
from bot.reports.tasks import CONFIRM_COMMAND
from bot.texts import render_text
from models.enums import GroupKind
from models.org import GroupChannel, Person, Unit
from models.reports import ReportTask

log = logging.getLogger(__name__)


async def remind_reports(duty: Duty) -> None:
    """``report_day4`` / ``report_day5``: unconfirmed units, from office start on the last two
    working days of the report window (the 4th and 5th with the policy's 5 working days)."""
    current = Quarter.containing(duty.today)
    reported = current.previous()
    if duty.now < duty.calendar.at_local(duty.today, duty.calendar.office_start):
        return
    last = duty.resources.settings.report_working_days
    days = {duty.calendar.nth_workday_from(current.first_day, n): n for n in (last - 1, last) if n >= 1}
    day = days.get(duty.today)
    if day is None:
        return
    kind = f"report_day{day}"
    tasks = await ReportTask.filter(
        organisation_id=duty.organisation.id, quarter=str(reported), confirmed_at=None, due_at__gt=duty.now
    ).prefetch_related("unit")
    done = await duty.done(kind, [f"unit:{t.unit_id}" for t in tasks], str(reported))
    for task in tasks:
        if f"unit:{task.unit_id}" in done:
            continue
        writer = await _report_writer(duty, task, day, last=day == last)
        await duty.once(kind, f"unit:{task.unit_id}", str(reported), writer)


async def _report_writer(
    duty: Duty, task: ReportTask, day: int, *, last: bool
) -> Callable[[OutboxBatch], Awaitable[None]]:
    unit: Unit = task.unit
    quarter = parse_quarter(task.quarter)
    principal = await Person.get_or_none(id=unit.principal_id) if unit.principal_id else None
    groups = await GroupChannel.filter(
        organisation_id=duty.organisation.id, kind=GroupKind.UNIT, unit_id=unit.id
    )
    text = render_text(
        "report_reminder.md.j2",
        unit=unit.name,
        quarter=quarter.label,
        quarter_code=str(quarter),
        day=day,
        last=last,
        due_at=task.due_at,
        command=CONFIRM_COMMAND,
        tz=duty.resources.settings.tz,
    )

    async def write(batch: OutboxBatch) -> None:
        key = f"reminder:report_day{day}:{task.quarter}:unit:{unit.id}"
        for group in groups:
            await batch.group(group, text, dedupe_key=f"{key}:group:{group.id}")
        if principal is not None:
            await batch.text(principal, text, dedupe_key=f"{key}:principal")

    return write
