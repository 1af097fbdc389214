"""Reminders and alerts of scheduled work: open steps, replies due today, overdue matters and
unconfirmed quarterly reports. Each is one `Duty.once` item (see `bot.jobs.duty` for the kinds)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.calendar.quarters import Quarter, parse_quarter
from bot.matters.step_cards import issue_step_card, latest_card
from bot.matters.workflow import LEVEL_TITLES, STATE_TITLES, MatterState
from bot.outbox.batch import OutboxBatch
from bot.reports.tasks import CONFIRM_COMMAND
from bot.texts import render_text
from models.matter import DecisionStep, Matter
from models.org import Department, GroupChannel, Person, Unit
from models.reports import ReportTask

if TYPE_CHECKING:
    from bot.jobs.duty import Duty

log = logging.getLogger(__name__)

OPEN_STEP_STATUSES = ("pending", "awaiting_text")
DECIDED_STATES = (MatterState.RESOLVED.value, MatterState.REFUSED.value)


async def _fresh_card_if_stale(duty: Duty, batch: OutboxBatch, step: DecisionStep) -> bool:
    """Issue a new card when the latest one can no longer be updated on its platform."""
    if step.status != "pending":  # awaiting words, not a tap: a card would not help
        return False
    card = await latest_card(step)
    if card is None:
        return False
    messenger = duty.resources.messengers.get(card.platform)
    if messenger is None or messenger.card_updatable(card.platform_state, duty.now):
        return False
    await issue_step_card(batch, step)
    return True


async def _step_reminder(duty: Duty, step: DecisionStep, kind: str, template: str) -> bool:
    matter: Matter = step.matter
    approver: Person = step.approver
    on_behalf: Person | None = step.on_behalf_of

    async def write(batch: OutboxBatch) -> None:
        fresh = await _fresh_card_if_stale(duty, batch, step)
        text = render_text(
            template,
            number=matter.number,
            applicant=matter.applicant,
            subject=matter.subject,
            level_name=LEVEL_TITLES.get(step.level, f"第{step.level}级"),
            on_behalf_of=on_behalf.name if on_behalf is not None else "",
            hours=duty.resources.settings.reminder_working_hours,
            due_at=matter.due_at,
            due_time=matter.due_at.astimezone(duty.calendar.tz).strftime("%H:%M"),
            awaiting_text=step.status == "awaiting_text",
            fresh_card=fresh,
            tz=duty.resources.settings.tz,
        )
        await batch.text(approver, text, dedupe_key=f"reminder:{kind}:step:{step.id}")

    return await duty.once(kind, f"step:{step.id}", "", write)


async def remind_open_steps(duty: Duty) -> None:
    """``pending_4h`` and ``due_morning`` reminders to approvers of open steps."""
    steps = await DecisionStep.filter(
        organisation_id=duty.organisation.id,
        status__in=OPEN_STEP_STATUSES,
        matter__state=MatterState.PENDING.value,
    ).prefetch_related("matter", "approver", "on_behalf_of")
    subjects = [f"step:{s.id}" for s in steps]
    done_4h = await duty.done("pending_4h", subjects)
    done_morning = await duty.done("due_morning", subjects)
    office_open = duty.calendar.at_local(duty.today, duty.calendar.office_start)
    threshold = duty.resources.settings.reminder_working_hours
    for step in steps:
        subject = f"step:{step.id}"
        if (
            subject not in done_4h
            and duty.calendar.working_hours_between(step.opened_at, duty.now) >= threshold
        ):
            await _step_reminder(duty, step, "pending_4h", "reminder_pending.md.j2")
        due_at = step.matter.due_at
        if (
            subject not in done_morning
            and duty.calendar.local_date(due_at) == duty.today
            and office_open <= duty.now < due_at
        ):
            await _step_reminder(duty, step, "due_morning", "reminder_due_morning.md.j2")


async def remind_reply_due(duty: Duty) -> None:
    """``reply_due``: decided matters due today with no reply yet → the submitter, once."""
    office_open = duty.calendar.at_local(duty.today, duty.calendar.office_start)
    if duty.now < office_open:
        return
    day_start = duty.calendar.at_local(duty.today, dt.time(0))
    matters = await Matter.filter(
        organisation_id=duty.organisation.id,
        state__in=DECIDED_STATES,
        replied_at=None,
        due_at__gt=duty.now,
        due_at__lt=day_start + dt.timedelta(days=1),
    ).prefetch_related("submitter")
    done = await duty.done("reply_due", [f"matter:{m.id}" for m in matters])
    for matter in matters:
        if f"matter:{matter.id}" in done or duty.calendar.local_date(matter.due_at) != duty.today:
            continue
        await duty.once("reply_due", f"matter:{matter.id}", "", _reply_due_writer(duty, matter))


def _reply_due_writer(duty: Duty, matter: Matter) -> Callable[[OutboxBatch], Awaitable[None]]:
    async def write(batch: OutboxBatch) -> None:
        refused = matter.state == MatterState.REFUSED.value
        text = render_text(
            "reminder_reply_due.md.j2",
            number=matter.number,
            subject=matter.subject,
            outcome="确认不能办" if refused else "确定能办",
            refused=refused,
            applicant=matter.applicant,
            phone=matter.applicant_phone,
            due_time=matter.due_at.astimezone(duty.calendar.tz).strftime("%H:%M"),
        )
        await batch.text(matter.submitter, text, dedupe_key=f"reminder:reply_due:matter:{matter.id}")

    return write


# --- overdue -----------------------------------------------------------------------------------


async def _waiting_on(matter: Matter) -> str:
    """Who holds the matter's open steps (“分管领导 王某”), for the overdue texts."""
    steps = await DecisionStep.filter(matter_id=matter.id, status__in=OPEN_STEP_STATUSES).prefetch_related(
        "approver"
    )
    return "、".join(f"{LEVEL_TITLES.get(s.level, '')} {s.approver.name}" for s in steps)


async def alert_overdue(duty: Duty) -> None:
    """``overdue``: the reply deadline passed with no reply recorded → office group + section head."""
    matters = (
        await Matter.filter(organisation_id=duty.organisation.id, replied_at=None, due_at__lt=duty.now)
        .exclude(state=MatterState.WITHDRAWN.value)
        .prefetch_related("submitter", "department", "unit")
    )
    done = await duty.done("overdue", [f"matter:{m.id}" for m in matters])
    offices = await GroupChannel.filter(organisation_id=duty.organisation.id, kind="office").order_by("id")
    for matter in matters:
        if f"matter:{matter.id}" in done:
            continue
        await duty.once("overdue", f"matter:{matter.id}", "", await _overdue_writer(duty, matter, offices))


async def _overdue_writer(
    duty: Duty, matter: Matter, offices: list[GroupChannel]
) -> Callable[[OutboxBatch], Awaitable[None]]:
    department: Department = matter.department
    head = await Person.get_or_none(id=department.head_id) if department.head_id else None
    unit: Unit = matter.unit
    context = {
        "number": matter.number,
        "unit": unit.name,
        "department": department.name,
        "applicant": matter.applicant,
        "subject": matter.subject,
        "submitter": matter.submitter.name,
        "state": STATE_TITLES.get(MatterState(matter.state), matter.state),
        "waiting_on": await _waiting_on(matter),
        "due_at": matter.due_at,
        "tz": duty.resources.settings.tz,
    }

    async def write(batch: OutboxBatch) -> None:
        for group in offices:
            await batch.group(
                group,
                render_text("reminder_overdue_office.md.j2", **context),
                dedupe_key=f"reminder:overdue:matter:{matter.id}:group:{group.id}",
            )
        if head is not None:
            await batch.text(
                head,
                render_text("reminder_overdue_head.md.j2", **context),
                dedupe_key=f"reminder:overdue:matter:{matter.id}:head",
            )
        if not offices and head is None:
            log.warning(
                "matter %s is overdue but there is no office group and no section head", matter.number
            )

    return write


# --- quarterly reports -------------------------------------------------------------------------


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
    groups = await GroupChannel.filter(organisation_id=duty.organisation.id, kind="unit", unit_id=unit.id)
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
