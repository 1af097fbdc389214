"""Scheduled work as “do what is due as of now” passes: reminders, overdue alerts, the quarterly
digest and report-task reminders.

Every piece of work is keyed by a unique ``DutyRun(organisation, kind, subject, period)`` row
inserted in the same transaction as its outbox rows. A pass may run any number of times (arq
cron, a catch-up after downtime, the simulator's tick) and each piece of work is done once:
a second insert hits the unique key, the whole transaction rolls back (PostgreSQL aborts a
transaction on an IntegrityError anyway) and the pass moves on to the next item.

Kinds (subject; period):

- ``pending_4h`` (``step:<id>``): a step has been open for ``reminder_working_hours`` working
  hours → text to its approver;
- ``due_morning`` (``step:<id>``): the matter is due today and office hours have begun, the step
  is still open → text to its approver;
- ``reply_due`` (``matter:<id>``): the matter was decided (resolved/refused) and is due today with
  no reply recorded → text to the submitter;
- in the two step reminders, when the approver's latest card can no longer be updated on its
  platform (WeCom response codes expire), a fresh card is issued with the reminder;
- ``overdue`` (``matter:<id>``): the reply deadline passed with no reply → the office group and
  the section head;
- ``digest`` (``organisation``; ``2026Q3``): from 09:00 of the first working day of a quarter up
  to the report deadline, last quarter's digest goes to the office group (汇总表 attached) and to
  each unit's group, and the units' report tasks open (`bot.digest.post_digest`). After the
  deadline a missed digest is not posted by itself (a deployment starting mid-quarter does not
  announce a stale report); `tiji digest --quarter … --post` posts it by hand;
- ``report_day4`` / ``report_day5`` (``unit:<id>``; quarter): from office start on the 4th and 5th
  working day of the quarter, units that have not confirmed last quarter's report are reminded
  in their group and their principal by text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.calendar import WorkCalendar, load_calendar
from bot.digest import DIGEST_KIND, DIGEST_SUBJECT, DIGEST_TIME, post_digest
from bot.outbox import OutboxBatch
from bot.quarters import Quarter, parse_quarter
from bot.report_tasks import CONFIRM_COMMAND, report_due_at
from bot.resources import Resources
from bot.step_cards import issue_step_card, latest_card
from bot.texts import render_text
from bot.workflow import LEVEL_TITLES, STATE_TITLES, MatterState
from models.matter import DecisionStep, Matter
from models.org import Department, GroupChannel, Organisation, Person, Unit
from models.reports import DutyRun, ReportTask

log = logging.getLogger(__name__)

PASSES = ("reminders", "overdue", "digest", "report_tasks")
OPEN_STEP_STATUSES = ("pending", "awaiting_text")
DECIDED_STATES = (MatterState.RESOLVED.value, MatterState.REFUSED.value)


@dataclass
class Duty:
    """One organisation's pass as of one moment."""

    resources: Resources
    organisation: Organisation
    calendar: WorkCalendar
    now: dt.datetime

    @property
    def today(self) -> dt.date:
        return self.calendar.local_date(self.now)

    async def done(self, kind: str, subjects: list[str], period: str = "") -> set[str]:
        """Which of ``subjects`` already ran for ``kind`` and ``period`` (to skip work early)."""
        if not subjects:
            return set()
        rows = await DutyRun.filter(
            organisation_id=self.organisation.id, kind=kind, period=period, subject__in=subjects
        ).values_list("subject", flat=True)
        return {str(s) for s in rows}

    async def once(
        self, kind: str, subject: str, period: str, write: Callable[[OutboxBatch], Awaitable[None]]
    ) -> bool:
        """Run ``write`` with its DutyRun row in one transaction; False if it had already run."""
        batch = OutboxBatch(self.resources.settings, self.organisation, self.now)
        try:
            async with in_transaction():
                await DutyRun.create(
                    organisation_id=self.organisation.id,
                    kind=kind,
                    subject=subject,
                    period=period,
                    ran_at=self.now,
                )
                await write(batch)
        except IntegrityError:
            # Another run did it first (or its outbox row exists): everything here rolled back.
            return False
        await batch.nudge(self.resources)
        return True


async def run_due_work(resources: Resources) -> list[str]:
    """Run every pass for every organisation as of ``resources.clock.now()``.

    Returns the names of the passes that ran (all of ``PASSES``: each pass decides for itself
    whether anything is due; what it did shows in the outbox).
    """
    now = resources.clock.now()
    for organisation in await Organisation.all().order_by("id"):
        calendar = await load_calendar(
            resources.settings, organisation.id, today=now.astimezone(resources.settings.tz).date()
        )
        duty = Duty(resources, organisation, calendar, now)
        await remind_open_steps(duty)
        await remind_reply_due(duty)
        await alert_overdue(duty)
        await post_due_digest(duty)
        await remind_reports(duty)
    return list(PASSES)


# --- reminders ---------------------------------------------------------------------------------


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
            awaiting_text=step.status == "awaiting_text",
            fresh_card=fresh,
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


# --- quarterly digest and report tasks ---------------------------------------------------------


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
    await post_digest(duty.resources, duty.organisation, current.previous(), duty.calendar, duty.now)


async def remind_reports(duty: Duty) -> None:
    """``report_day4`` / ``report_day5``: unconfirmed units on those working days of the quarter."""
    current = Quarter.containing(duty.today)
    reported = current.previous()
    if duty.now < duty.calendar.at_local(duty.today, duty.calendar.office_start):
        return
    days = {
        duty.calendar.nth_workday_from(current.first_day, n): n
        for n in (4, 5)
        if n <= duty.resources.settings.report_working_days
    }
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
        await duty.once(kind, f"unit:{task.unit_id}", str(reported), await _report_writer(duty, task, day))


async def _report_writer(duty: Duty, task: ReportTask, day: int) -> Callable[[OutboxBatch], Awaitable[None]]:
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
        due_at=task.due_at,
        command=CONFIRM_COMMAND,
    )

    async def write(batch: OutboxBatch) -> None:
        key = f"reminder:report_day{day}:{task.quarter}:unit:{unit.id}"
        for group in groups:
            await batch.group(group, text, dedupe_key=f"{key}:group:{group.id}")
        if principal is not None:
            await batch.text(principal, text, dedupe_key=f"{key}:principal")

    return write
