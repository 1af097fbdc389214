"""The 催办 ladder of complaints held by a section (assigned, signed, extension asked) past their
deadline: at the deadline the holder (the section head), the deputy in charge and the office
groups are told; then the holder every working day at 09:00 until it is done. Each rung once
(``Duty.once``); only complaints whose indexed ``next_reminder_at`` has come are read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.complaints.cards import complaint_url
from bot.complaints.workflow import HELD_STATES
from bot.jobs.duty import Duty
from bot.jobs.ladder import Moment, Rung, climb, complaint_ladder
from bot.jobs.recipients import lateness, office_groups
from bot.outbox.batch import OutboxBatch
from models.complaints import Complaint
from models.org import Department, Person

CHUNK = 500


async def remind_overdue_complaints(duty: Duty) -> None:
    """Send the rungs due for every held complaint whose ``next_reminder_at`` has come."""
    last_id = 0
    while True:
        chunk = (
            await Complaint.filter(
                organisation_id=duty.organisation.id,
                state__in=list(HELD_STATES),
                next_reminder_at__lte=duty.now,
                deadline_at__isnull=False,
                id__gt=last_id,
            )
            .order_by("id")
            .limit(CHUNK)
        )
        for complaint in chunk:
            await _climb(duty, complaint)
        if chunk:
            await Complaint.bulk_update(chunk, fields=["next_reminder_at", "reminder_rung"])
        if len(chunk) < CHUNK:
            return
        last_id = chunk[-1].id


async def _climb(duty: Duty, complaint: Complaint) -> None:
    if complaint.deadline_at is None:  # selected with a deadline; a row changed meanwhile
        return
    ladder = complaint_ladder(duty.calendar, deadline=complaint.deadline_at)
    plan = climb(ladder, since=complaint.next_reminder_at, now=duty.now, due_at=complaint.deadline_at)
    for moment in plan.due:
        if await duty.once(moment.rung.value, f"complaint:{complaint.id}", moment.period,
                           _writer(duty, complaint, moment)):  # fmt: skip
            complaint.reminder_rung += 1
    complaint.next_reminder_at = plan.next_at


def _writer(duty: Duty, complaint: Complaint, moment: Moment) -> Callable[[OutboxBatch], Awaitable[None]]:
    key = f"reminder:{moment.rung.value}:complaint:{complaint.id}" + (
        f":{moment.period}" if moment.period else ""
    )

    async def write(batch: OutboxBatch) -> None:
        department = await Department.get_or_none(id=complaint.department_id or 0)
        if department is None:
            return
        late = lateness(duty.calendar, complaint.deadline_at or duty.now, duty.now)
        text = (
            f"【催办】投诉 {complaint.number}（{department.name}承办）{late}，尚未办结。"
            f"请尽快办结并反馈。详情：{complaint_url(batch.settings, complaint)}"
        )
        ids = [department.head_id]
        if moment.rung is Rung.COMPLAINT_DEADLINE:
            ids.append(department.deputy_id)
            for group in await office_groups(complaint.organisation_id):
                await batch.group(group, text, dedupe_key=f"{key}:group:{group.id}")
        for person in await Person.filter(id__in=[i for i in dict.fromkeys(ids) if i is not None]):
            await batch.text(person, text, dedupe_key=f"{key}:person:{person.id}")

    return write
