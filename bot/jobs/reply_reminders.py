"""``reply_due`` and ``overdue``: the reply to the applicant is due today, or its deadline passed."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from bot.jobs.duty import Duty
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, STATE_TITLES, MatterState
from bot.outbox.batch import OutboxBatch
from bot.texts import render_text
from models.enums import GroupKind
from models.matter import DecisionStep, Matter
from models.org import Department, GroupChannel, Person, Unit

log = logging.getLogger(__name__)

DECIDED_STATES = (MatterState.RESOLVED, MatterState.REFUSED)


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
        refused = matter.state == MatterState.REFUSED
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
        .exclude(state=MatterState.WITHDRAWN)
        .prefetch_related("submitter", "department", "unit")
    )
    done = await duty.done("overdue", [f"matter:{m.id}" for m in matters])
    offices = await GroupChannel.filter(organisation_id=duty.organisation.id, kind=GroupKind.OFFICE).order_by(
        "id"
    )
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
