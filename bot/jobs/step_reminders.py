"""``pending_4h`` and ``due_morning``: reminders to the approvers of open steps (a fresh card when
the old one can no longer be updated)."""

from __future__ import annotations

import logging

from bot.jobs.duty import Duty
from bot.matters.step_cards import issue_step_card, latest_card
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, MatterState
from bot.outbox.batch import OutboxBatch
from bot.texts import render_text
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from models.org import Person

log = logging.getLogger(__name__)


async def _fresh_card_if_stale(duty: Duty, batch: OutboxBatch, step: DecisionStep) -> bool:
    """Issue a new card when the latest one can no longer be updated on its platform."""
    if step.status is not StepStatus.PENDING:  # awaiting words, not a tap: a card would not help
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
            awaiting_text=step.status is StepStatus.AWAITING_TEXT,
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
        matter__state=MatterState.PENDING,
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
