"""The 催办 ladder of open steps (`bot.jobs.ladder`): each rung to whoever holds the step *then*
(a fresh card when theirs can no longer be updated), at the deadline also to the next level up and
the office, then daily. Only steps whose ``next_reminder_at`` is due are read, in chunks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from bot.jobs.duty import Duty, Work, store_next_reminders
from bot.jobs.ladder import Moment, Rung, climb, step_ladder
from bot.jobs.recipients import Directory, lateness
from bot.jobs.step_chunk import StepChunk
from bot.matters.step_cards import issue_step_card
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, STATE_TITLES, MatterState
from bot.outbox.batch import OutboxBatch
from bot.texts import render_text
from models.cards import CardInstance
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from models.org import Person

log = logging.getLogger(__name__)

CHUNK = 500


def _due_query(duty: Duty, level: int | None, after_id: int) -> QuerySet[DecisionStep]:
    query = DecisionStep.filter(
        Q(next_reminder_at__isnull=True) | Q(next_reminder_at__lte=duty.now),
        organisation_id=duty.organisation.id,
        status__in=list(OPEN_STEP_STATUSES),
        matter__state=MatterState.PENDING,
        id__gt=after_id,
    )
    if level is not None:
        query = query.filter(level=level)
    return query.order_by("id").limit(CHUNK).select_related("matter")


async def due_steps(duty: Duty, *, level: int | None = None) -> list[list[DecisionStep]]:
    """Open steps whose ladder is due, in chunks by id (one query per chunk, nothing else read)."""
    return [chunk async for chunk in due_step_chunks(duty, level=level)]


async def due_step_chunks(duty: Duty, *, level: int | None = None) -> AsyncIterator[list[DecisionStep]]:
    """`due_steps` chunk by chunk: the next chunk is read while the caller works on this one (the
    query waits on the database while the pass renders and writes), from a task started outside the
    caller's transaction, so on a connection of its own. Only the chunk's own steps are changed by
    the caller, and the next chunk's ids all come after them, so it reads what reading later would."""
    chunk = await _due_query(duty, level, 0)
    while chunk:
        following = (
            asyncio.ensure_future(_due_query(duty, level, chunk[-1].id)) if len(chunk) == CHUNK else None
        )
        try:
            yield chunk
        except BaseException:  # the caller stopped early (an error): the read is not needed
            if following is not None:
                following.cancel()
            raise
        chunk = await following if following is not None else []


async def remind_open_steps(duty: Duty) -> None:
    """Send the rungs due for every open step whose ``next_reminder_at`` has come, and store the next
    (per chunk: one transaction for its rungs (`Duty.once_many`), one UPDATE of the new
    ``next_reminder_at`` of each of its steps)."""
    directory = Directory(duty.organisation.id)
    async for chunk in due_step_chunks(duty):
        loaded = await StepChunk.load(chunk, duty.today)
        await directory.remember(loaded.people(chunk))
        works: list[Work] = []
        for step in chunk:
            works += await _climb_step(duty, directory, loaded, step)
        await duty.once_many(works)
        await store_next_reminders(DecisionStep, chunk)


async def _climb_step(duty: Duty, directory: Directory, loaded: StepChunk, step: DecisionStep) -> list[Work]:
    matter: Matter = step.matter
    ladder = step_ladder(
        duty.calendar,
        opened_at=step.opened_at,
        due_at=matter.due_at,
        hours=duty.resources.settings.reminder_working_hours,
        consultation=loaded.is_consultation(step),
    )
    plan = climb(ladder, since=step.next_reminder_at, now=duty.now, due_at=matter.due_at)
    step.next_reminder_at = plan.next_at  # stored with the chunk
    return [
        await _rung(duty, directory, loaded, step, moment)
        for moment in plan.due
        if moment.rung is not Rung.CONSULTATION_LAPSED  # the 会商 pass closes those
    ]


async def _fresh_card_if_stale(
    duty: Duty, batch: OutboxBatch, step: DecisionStep, holder: Person, cards: list[CardInstance]
) -> bool:
    """Issue the holder a new card when theirs can no longer be updated on its platform, or when the
    step changed hands since its cards went out (a stand-in's range began or ended)."""
    if step.status is not StepStatus.PENDING:  # awaiting words, not a tap: a card would not help
        return False
    mine = next((c for c in cards if c.recipient_id == holder.id), None)
    if mine is None:
        if not cards:
            return False
    else:
        messenger = duty.resources.messengers.get(mine.platform)
        if messenger is None or messenger.card_updatable(mine.platform_state, duty.now):
            return False
    await issue_step_card(batch, step, holder)
    return True


async def _rung(
    duty: Duty, directory: Directory, loaded: StepChunk, step: DecisionStep, moment: Moment
) -> Work:
    matter: Matter = step.matter
    local_now = duty.now.astimezone(duty.calendar.tz)
    holder = await loaded.holder(step, directory)
    leader_id = step.on_behalf_of_id or step.approver_id
    on_behalf = await directory.person(leader_id) if holder.id != leader_id else None
    overdue = moment.rung in (Rung.DEADLINE, Rung.OVERDUE_DAILY)
    up = await directory.next_level_up(step, matter, local_now) if overdue else None
    if up is not None and up.id == holder.id:
        up = None  # never ask someone to 督促 himself
    context: dict[str, object] = {
        "number": matter.number,
        "applicant": matter.applicant,
        "subject": matter.subject,
        "level_name": LEVEL_TITLES.get(step.level, f"第{step.level}级"),
        "holder": holder.name,
        "on_behalf_of": on_behalf.name if on_behalf is not None else "",
        "hours": duty.resources.settings.reminder_working_hours,
        "due_at": matter.due_at,
        "due_time": matter.due_at.astimezone(duty.calendar.tz).strftime("%H:%M"),
        "awaiting_text": step.status is StepStatus.AWAITING_TEXT,
        "lateness": lateness(duty.calendar, matter.due_at, duty.now),
        "tz": duty.resources.settings.tz,
    }
    key = f"reminder:{moment.rung.value}:step:{step.id}" + (f":{moment.period}" if moment.period else "")

    async def write(batch: OutboxBatch) -> None:
        fresh = await _fresh_card_if_stale(duty, batch, step, holder, loaded.cards[step.id])
        template = _HOLDER_TEMPLATES[moment.rung]
        text = render_text(template, fresh_card=fresh, **context)
        await batch.text(holder, text, dedupe_key=key if not overdue else f"{key}:holder")
        if up is not None:
            text = render_text("reminder_step_overdue_up.md.j2", **context)
            await batch.text(up, text, dedupe_key=f"{key}:up")
        if moment.rung is Rung.DEADLINE:
            waiting_on = f"{context['level_name']} {holder.name}"
            await tell_office(
                batch,
                directory,
                matter,
                f"{key}:group",
                waiting_on=waiting_on,
                lateness=str(context["lateness"]),
            )

    return Work(moment.rung.value, f"step:{step.id}", moment.period, write)


_HOLDER_TEMPLATES = {
    Rung.PENDING_4H: "reminder_pending.md.j2",
    Rung.DUE_MORNING: "reminder_due_morning.md.j2",
    Rung.DEADLINE: "reminder_step_overdue.md.j2",
    Rung.OVERDUE_DAILY: "reminder_step_overdue.md.j2",
}


async def tell_office(
    batch: OutboxBatch, directory: Directory, matter: Matter, key: str, *, waiting_on: str, lateness: str
) -> None:
    """The office groups learn that ``matter`` passed its deadline, and who it waits on."""
    groups = await directory.office_groups()
    if not groups:
        log.warning("matter %s is overdue but there is no office group", matter.number)
    department = await directory.department(matter.department_id)
    unit = await directory.unit(matter.unit_id)
    submitter = await directory.person(matter.submitter_id)
    for group in groups:
        text = render_text(
            "reminder_overdue_office.md.j2",
            number=matter.number,
            unit=unit.name,
            department=department.name,
            applicant=matter.applicant,
            subject=matter.subject,
            submitter=submitter.name,
            state=STATE_TITLES[MatterState(matter.state)],
            waiting_on=waiting_on,
            lateness=lateness,
            due_at=matter.due_at,
            tz=batch.settings.tz,
        )
        await batch.group(group, text, dedupe_key=f"{key}:{group.id}")
