"""Quarterly report tasks (季度报送): each unit confirms its 汇总表 to the office.

The policy (三、1 定期汇总分析) asks every unit to send its quarter's 汇总表 to the office within the
first 5 working days of the next quarter. The bot opens one task per unit with the digest (see
`bot.jobs.duty`), reminds unconfirmed units on the 4th and 5th working day, and a unit's principal
(or an office member of that unit) confirms it with the chat command wired to `confirm_report`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, cast

from tortoise.transactions import in_transaction

from bot.calendar.quarters import Quarter, parse_quarter
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.enums import GroupKind
from models.org import GroupChannel, Organisation, Person, Role, Unit
from models.reports import ReportTask

if TYPE_CHECKING:
    from bot.calendar.workdays import WorkCalendar
    from bot.runtime.resources import Resources

CONFIRM_COMMAND = "报送"


def report_due_at(calendar: WorkCalendar, quarter: Quarter, working_days: int) -> dt.datetime:
    """End of office hours of the nth working day of the quarter after ``quarter`` (UTC)."""
    return calendar.end_of_office(calendar.nth_workday_from(quarter.next().first_day, working_days))


async def open_report_tasks(
    organisation: Organisation, quarter: Quarter, due_at: dt.datetime, now: dt.datetime
) -> list[ReportTask]:
    """One task per unit for ``quarter`` (those that exist are left alone); the new ones.

    Meant to run inside the caller's transaction (the digest's), so tasks and posts commit together.
    """
    created = []
    rows = ReportTask.filter(organisation_id=organisation.id, quarter=str(quarter))
    existing = set(cast(list[int], await rows.values_list("unit_id", flat=True)))
    for unit in await Unit.filter(organisation_id=organisation.id).order_by("id"):
        if unit.id in existing:
            continue
        created.append(
            await ReportTask.create(
                organisation_id=organisation.id, unit=unit, quarter=str(quarter), due_at=due_at, opened_at=now
            )
        )
    return created


async def _unit_of(person: Person) -> Unit | None:
    """The unit a person answers for: the one they lead as principal, else their own."""
    led = (
        await Unit.filter(organisation_id=person.organisation_id, principal_id=person.id)
        .order_by("id")
        .first()
    )
    if led is not None:
        return led
    if person.unit_id is None:
        return None
    return await Unit.get_or_none(id=person.unit_id)


async def _find_task(organisation_id: int, unit: Unit, quarter: str | None) -> ReportTask:
    if quarter is not None and quarter.strip():
        q = parse_quarter(quarter)
        task = await ReportTask.get_or_none(organisation_id=organisation_id, unit_id=unit.id, quarter=str(q))
        if task is None:
            raise ValueError(f"{unit.name}没有 {q.label}（{q}）的汇总表报送任务，请检查季度是否写对")
        return task
    # No quarter named: the open task if there is one, else the latest (to say who confirmed it).
    tasks = ReportTask.filter(organisation_id=organisation_id, unit_id=unit.id)
    task = await tasks.filter(confirmed_at=None).order_by("-quarter").first()
    if task is None:
        task = await tasks.order_by("-quarter").first()
    if task is None:
        raise ValueError(f"{unit.name}目前没有汇总表报送任务（每季度第一个工作日发布上季度汇总时开启）")
    return task


async def _already_confirmed(task: ReportTask, unit: Unit, tz: dt.tzinfo) -> ValueError:
    q = parse_quarter(task.quarter)
    who = await Person.get_or_none(id=task.confirmed_by_id) if task.confirmed_by_id else None
    name = who.name if who is not None else "（人员已删除）"
    return ValueError(
        f"{unit.name}{q.label}汇总表已由 {name} 于 {format_local(task.confirmed_at, tz)} 确认报送，无需重复确认"
    )


async def confirm_report(resources: Resources, person: Person, quarter: str | None) -> str:
    """``person`` confirms their unit's 汇总表 for ``quarter`` (default: the open task).

    Allowed for the unit's principal and for office members of that unit. Returns the Chinese
    confirmation; raises ValueError with a Chinese message saying what is wrong (no such task,
    not allowed, already confirmed by whom and when). The office group is told in the same
    transaction.
    """
    unit = await _unit_of(person)
    if unit is None:
        raise ValueError("您没有登记所属单位，无法确认汇总表报送，请联系管理员核对通讯录")
    if unit.principal_id != person.id and not person.has_role(Role.OFFICE):
        raise ValueError(f"只有{unit.name}主要领导或活动办公室人员可以确认汇总表报送")
    task = await _find_task(person.organisation_id, unit, quarter)
    tz = resources.settings.tz
    if task.confirmed_at is not None:
        raise await _already_confirmed(task, unit, tz)

    organisation = await Organisation.get(id=person.organisation_id)
    now = resources.clock.now()
    q = parse_quarter(task.quarter)
    late = now > task.due_at
    batch = OutboxBatch(resources.settings, organisation, now)
    async with in_transaction():
        changed = await ReportTask.filter(id=task.id, confirmed_at=None).update(
            confirmed_at=now, confirmed_by_id=person.id
        )
        if changed:
            text = render_text(
                "report_confirmed.md.j2",
                unit=unit.name,
                quarter=q.label,
                person=person.name,
                at=now,
                due_at=task.due_at,
                late=late,
                tz=tz,
            )
            for group in await GroupChannel.filter(organisation_id=organisation.id, kind=GroupKind.OFFICE):
                await batch.group(group, text, dedupe_key=f"report_confirmed:{task.id}:group:{group.id}")
    if not changed:  # someone else confirmed it a moment ago
        await task.refresh_from_db()
        raise await _already_confirmed(task, unit, tz)
    await batch.nudge(resources)
    message = (
        f"已确认{unit.name}{q.label}说“不”事项提级管理汇总表报送（{person.name}，{format_local(now, tz)}）"
    )
    if late:
        message += f"；报送期限为 {format_local(task.due_at, tz)}，已逾期"
    return message + "。"
