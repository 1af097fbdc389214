"""Where every unit stands with a quarter's 汇总表 against the 5th-working-day deadline, and what
the office does about it from the console: remind a unit now, or confirm on its behalf.

The changes run in their own transaction with the outbox rows they cause; ``audit`` is called
inside it (the console's ``audit_change``: this domain package knows no web layer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise.transactions import in_transaction

from bot.calendar.quarters import Quarter
from bot.outbox.batch import OutboxBatch
from bot.reports.tasks import CONFIRM_COMMAND
from bot.texts import render_text
from models.enums import GroupKind
from models.org import GroupChannel, Organisation, Person, Unit
from models.reports import ReportTask

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

Audit = Callable[[Mapping[str, object], Mapping[str, object]], Awaitable[None]]
CONSOLE_CONFIRMER = "管理后台账号"  # a local account's confirmation stored before its name was kept
ACCOUNT_SUFFIX = "（后台账号）"


class ReportStatus(StrEnum):
    NOT_OPEN = "not_open"  # the quarter's digest is not posted yet: no task
    FILED = "filed"  # the table went to the unit; waiting for its confirmation, before the deadline
    CONFIRMED = "confirmed"  # confirmed by the deadline
    LATE = "late"  # past the deadline, not confirmed
    CONFIRMED_LATE = "confirmed_late"  # confirmed after the deadline


REPORT_STATUS_TITLES: Mapping[ReportStatus, str] = {
    ReportStatus.NOT_OPEN: "未开启（季度汇总尚未发布）",
    ReportStatus.FILED: "待确认",
    ReportStatus.CONFIRMED: "已确认",
    ReportStatus.LATE: "逾期未确认",
    ReportStatus.CONFIRMED_LATE: "逾期后确认",
}


@dataclass(frozen=True)
class UnitReport:
    unit_id: int
    unit: str
    principal: str
    status: ReportStatus
    task_id: int | None = None
    due_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None = None
    confirmed_by: str = ""

    @property
    def title(self) -> str:
        return REPORT_STATUS_TITLES[self.status]

    @property
    def open(self) -> bool:
        """Waiting for the unit: it can be reminded, or confirmed on its behalf."""
        return self.status in (ReportStatus.FILED, ReportStatus.LATE)


def _status(task: ReportTask | None, now: dt.datetime) -> ReportStatus:
    if task is None:
        return ReportStatus.NOT_OPEN
    if task.confirmed_at is not None:
        return ReportStatus.CONFIRMED if task.confirmed_at <= task.due_at else ReportStatus.CONFIRMED_LATE
    return ReportStatus.LATE if now > task.due_at else ReportStatus.FILED


def _confirmer(task: ReportTask, names: Mapping[object, object]) -> str:
    """Who confirmed: the person, or the local console account (by its name at the time)."""
    if task.confirmed_by_id is not None and task.confirmed_by_id in names:
        return str(names[task.confirmed_by_id])
    if task.confirmed_by_account:
        return task.confirmed_by_account + ACCOUNT_SUFFIX
    return CONSOLE_CONFIRMER


async def unit_reports(organisation_id: int, quarter: Quarter, now: dt.datetime) -> list[UnitReport]:
    """Every unit of the organisation with its task for ``quarter`` (or none yet), by unit."""
    tasks = {
        t.unit_id: t for t in await ReportTask.filter(organisation_id=organisation_id, quarter=str(quarter))
    }
    units = await Unit.filter(organisation_id=organisation_id).order_by("id")
    ids = {u.principal_id for u in units if u.principal_id} | {
        t.confirmed_by_id for t in tasks.values() if t.confirmed_by_id
    }
    names = dict(await Person.filter(id__in=ids).values_list("id", "name")) if ids else {}
    found = []
    for unit in units:
        task = tasks.get(unit.id)
        confirmer = ""
        if task is not None and task.confirmed_at is not None:
            confirmer = _confirmer(task, names)
        found.append(
            UnitReport(
                unit_id=unit.id,
                unit=unit.name,
                principal=str(names.get(unit.principal_id, "")) if unit.principal_id else "",
                status=_status(task, now),
                task_id=None if task is None else task.id,
                due_at=None if task is None else task.due_at,
                confirmed_at=None if task is None else task.confirmed_at,
                confirmed_by=confirmer,
            )
        )
    return found


async def open_task(organisation_id: int, quarter: Quarter, unit_id: int) -> tuple[ReportTask, Unit]:
    """The unit's unconfirmed task for ``quarter``; ValueError (Chinese) when there is none."""
    unit = await Unit.get_or_none(id=unit_id, organisation_id=organisation_id)
    if unit is None:
        raise ValueError("没有这个单位，请从列表中选择")
    task = await ReportTask.get_or_none(
        organisation_id=organisation_id, unit_id=unit.id, quarter=str(quarter)
    )
    if task is None:
        raise ValueError(f"{unit.name}没有{quarter.label}的报送任务：季度汇总发布后才开启")
    if task.confirmed_at is not None:
        raise ValueError(f"{unit.name}{quarter.label}汇总表已确认报送，无需再提醒或确认")
    return task, unit


async def remind_unit(
    resources: Resources, organisation: Organisation, quarter: Quarter, unit_id: int, by: str, audit: Audit
) -> str:
    """Send the unit's group and principal the reminder now (each press sends once); the answer."""
    task, unit = await open_task(organisation.id, quarter, unit_id)
    now = resources.clock.now()
    tz = resources.settings.tz
    text = render_text(
        "report_reminder_console.md.j2", unit=unit.name, quarter=quarter.label, quarter_code=str(quarter),
        due_at=task.due_at, late=now > task.due_at, by=by, command=CONFIRM_COMMAND, tz=tz,
    )  # fmt: skip
    principal = await Person.get_or_none(id=unit.principal_id) if unit.principal_id else None
    groups = await GroupChannel.filter(organisation_id=organisation.id, kind=GroupKind.UNIT, unit_id=unit.id)
    if principal is None and not groups:
        raise ValueError(f"{unit.name}既没有主要领导也没有单位群，无法提醒：请先在组织架构中设置")
    batch = OutboxBatch(resources.settings, organisation, now)
    key = f"reminder:report_console:{task.quarter}:unit:{unit.id}:{int(now.timestamp())}"
    async with in_transaction():
        for group in groups:
            await batch.group(group, text, dedupe_key=f"{key}:group:{group.id}")
        if principal is not None:
            await batch.text(principal, text, dedupe_key=f"{key}:principal")
        await audit(
            {"task": task.id, "reminded": False}, {"task": task.id, "reminded": True, "rows": len(batch.ids)}
        )
    await batch.nudge(resources)
    told = [f"{len(groups)} 个单位群"] if groups else []
    told += [f"主要领导{principal.name}"] if principal is not None else []
    return f"已提醒{unit.name}（{'、'.join(told)}）确认{quarter.label}汇总表报送。"


async def confirm_for_unit(
    resources: Resources,
    organisation: Organisation,
    quarter: Quarter,
    unit_id: int,
    person: Person | None,
    by: str,
    audit: Audit,
) -> str:
    """The office confirms the unit's 汇总表 on its behalf; the office group is told. ``person`` is
    who signed in through a platform; None for a local account, whose name ``by`` is kept."""
    task, unit = await open_task(organisation.id, quarter, unit_id)
    now = resources.clock.now()
    tz = resources.settings.tz
    late = now > task.due_at
    batch = OutboxBatch(resources.settings, organisation, now)
    text = render_text(
        "report_confirmed.md.j2", unit=unit.name, quarter=quarter.label, person=f"{by}（活动办公室代为确认）",
        at=now, due_at=task.due_at, late=late, tz=tz,
    )  # fmt: skip
    async with in_transaction():
        changed = await ReportTask.filter(id=task.id, confirmed_at=None).update(
            confirmed_at=now,
            confirmed_by_id=None if person is None else person.id,
            confirmed_by_account=by[:64] if person is None else None,
        )
        if not changed:
            raise ValueError(f"{unit.name}{quarter.label}汇总表刚刚已被确认，无需再确认")
        for group in await GroupChannel.filter(organisation_id=organisation.id, kind=GroupKind.OFFICE):
            await batch.group(group, text, dedupe_key=f"report_confirmed:{task.id}:group:{group.id}")
        await audit({"task": task.id, "confirmed_at": None}, {"task": task.id, "confirmed_at": now, "by": by})
    await batch.nudge(resources)
    return f"已代{unit.name}确认{quarter.label}汇总表报送{'（已逾期）' if late else ''}。"
