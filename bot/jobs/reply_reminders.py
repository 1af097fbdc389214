"""The 催办 ladder of owed replies (`bot.jobs.ladder`): a matter resolved or refused whose reply to
the applicant is not recorded → the first-contact person (the submitter) on the due morning, at the
deadline and every working day after it; the office is told once, with the first overdue rung.
Only matters whose ``next_reminder_at`` is due are read, in chunks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from tortoise.expressions import Q

from bot.jobs.duty import Duty, Work, store_next_reminders
from bot.jobs.ladder import Moment, Rung, climb, reply_ladder
from bot.jobs.recipients import Directory, lateness
from bot.jobs.step_reminders import tell_office
from bot.matters.workflow import MatterState
from bot.outbox.batch import OutboxBatch
from bot.texts import render_text
from models.matter import Matter
from models.org import Person

log = logging.getLogger(__name__)

CHUNK = 500
OWED_STATES = (MatterState.RESOLVED, MatterState.REFUSED)


async def remind_owed_replies(duty: Duty) -> None:
    """Send the rungs due for every owed reply whose ``next_reminder_at`` has come, and store the next."""
    directory = Directory(duty.organisation.id)
    last_id = 0
    while True:
        chunk = (
            await Matter.filter(
                Q(next_reminder_at__isnull=True) | Q(next_reminder_at__lte=duty.now),
                organisation_id=duty.organisation.id,
                state__in=list(OWED_STATES),
                replied_at=None,
                id__gt=last_id,
            )
            .order_by("id")
            .limit(CHUNK)
            .select_related("submitter")
        )
        works: list[Work] = []
        for matter in chunk:
            works += _climb_reply(duty, directory, matter)
        await duty.once_many(works)  # the chunk's rungs in one transaction
        if chunk:
            await store_next_reminders(Matter, chunk)
        if len(chunk) < CHUNK:
            return
        last_id = chunk[-1].id


def _climb_reply(duty: Duty, directory: Directory, matter: Matter) -> list[Work]:
    decided_at = matter.decided_at or matter.submitted_at
    ladder = reply_ladder(duty.calendar, decided_at=decided_at, due_at=matter.due_at)
    plan = climb(ladder, since=matter.next_reminder_at, now=duty.now, due_at=matter.due_at)
    works: list[Work] = []
    for moment in plan.due:
        works.append(
            Work(moment.rung.value, f"matter:{matter.id}", moment.period, _writer(duty, matter, moment))
        )
        if moment.rung is not Rung.REPLY_DUE:
            office = _office_writer(duty, directory, matter)
            works.append(Work("reply_overdue_office", f"matter:{matter.id}", "", office))
    # Stored with the chunk; not the conditional update on ``version``: the ladder's own column,
    # which no decision reads.
    matter.next_reminder_at = plan.next_at
    return works


def _writer(duty: Duty, matter: Matter, moment: Moment) -> Callable[[OutboxBatch], Awaitable[None]]:
    refused = matter.state == MatterState.REFUSED
    submitter: Person = matter.submitter
    key = f"reminder:{moment.rung.value}:matter:{matter.id}" + (f":{moment.period}" if moment.period else "")
    template = "reminder_reply_due.md.j2" if moment.rung is Rung.REPLY_DUE else "reminder_reply_overdue.md.j2"

    async def write(batch: OutboxBatch) -> None:
        text = render_text(
            template,
            number=matter.number,
            subject=matter.subject,
            outcome="确认不能办" if refused else "确定能办",
            refused=refused,
            applicant=matter.applicant,
            phone=matter.applicant_phone,
            due_at=matter.due_at,
            due_time=matter.due_at.astimezone(duty.calendar.tz).strftime("%H:%M"),
            lateness=lateness(duty.calendar, matter.due_at, duty.now),
            tz=duty.resources.settings.tz,
        )
        await batch.text(submitter, text, dedupe_key=key)

    return write


def _office_writer(
    duty: Duty, directory: Directory, matter: Matter
) -> Callable[[OutboxBatch], Awaitable[None]]:
    submitter: Person = matter.submitter

    async def write(batch: OutboxBatch) -> None:
        await tell_office(
            batch,
            directory,
            matter,
            f"reminder:reply_overdue:matter:{matter.id}:group",
            waiting_on=f"首问责任人 {submitter.name} 回复申请人",
            lateness=lateness(duty.calendar, matter.due_at, duty.now),
        )

    return write
