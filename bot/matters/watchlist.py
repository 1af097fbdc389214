"""在办 / 逾期: the open matters a person watches over (the office: the organisation; a leader: the
units and sections of their chains), most urgent first by working hours left."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q

from bot.calendar.workdays import WorkCalendar
from bot.matters.chain import standing_in_for
from bot.matters.steps import step_names
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, MatterState
from bot.settings import Settings
from models.matter import DecisionStep, Matter
from models.org import Department, Person, Role, Unit

OPEN_STATES = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)
WHOLE_ORGANISATION_ROLES = frozenset({Role.OFFICE, Role.DISCIPLINE, Role.ADMIN})
OWED_REPLY = {MatterState.RESOLVED: "能办", MatterState.REFUSED: "确认不能办"}


@dataclass(frozen=True)
class Scope:
    """Whose matters a person watches: everything, or their units' and sections' (also as 协办股室)."""

    label: str
    whole_organisation: bool = False
    unit_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()

    def covers(self, matter: Matter) -> bool:
        if self.whole_organisation or matter.unit_id in self.unit_ids:
            return True
        named = {matter.department_id, *(matter.co_department_ids or [])}
        return not self.department_ids.isdisjoint(named)


async def scope_of(person: Person, today: dt.date) -> Scope | None:
    """The office (and 纪检组, admins) watch the organisation; a principal their unit; a deputy or a
    section head their sections; a stand-in also what the leader they act for watches. None for
    everyone else."""
    if any(role in WHOLE_ORGANISATION_ROLES for role in person.roles or []):
        return Scope("全单位", whole_organisation=True)
    ids = [person.id, *await standing_in_for(person.id, today)]
    units = await Unit.filter(organisation_id=person.organisation_id, principal_id__in=ids).order_by("id")
    departments = await Department.filter(
        Q(head_id__in=ids) | Q(deputy_id__in=ids), organisation_id=person.organisation_id
    ).order_by("id")
    if not units and not departments:
        return None
    label = "、".join(
        [u.name for u in units] + [d.name for d in departments if d.unit_id not in {u.id for u in units}]
    )
    return Scope(
        label, unit_ids=frozenset(u.id for u in units), department_ids=frozenset(d.id for d in departments)
    )


@dataclass(frozen=True)
class Watched:
    """One open matter as listed: how many working hours are left (negative: overdue by so many)."""

    matter: Matter
    hours_left: float
    overdue: bool


async def watched_matters(
    organisation_id: int, scope: Scope, calendar: WorkCalendar, now: dt.datetime, *, overdue_only: bool
) -> list[Watched]:
    """The open matters (being decided, or decided and owing the applicant's reply) in ``scope``,
    the least time left first."""
    matters = await Matter.filter(organisation_id=organisation_id, state__in=list(OPEN_STATES))
    found = []
    for matter in matters:
        if not scope.covers(matter):
            continue
        past_due = now >= matter.due_at
        if overdue_only and not past_due:
            continue
        hours = (
            -calendar.working_hours_between(matter.due_at, now)
            if past_due
            else calendar.working_hours_between(now, matter.due_at)
        )
        found.append(Watched(matter, hours, past_due))
    return sorted(found, key=lambda w: (w.hours_left, w.matter.due_at, w.matter.id))


async def where_it_waits(matter: Matter) -> str:
    """Who the matter waits for: 「分管领导 李明华」, or 「能办，待 张伟 回复申请人」."""
    state = MatterState(matter.state)
    if state is MatterState.PENDING:
        steps = await DecisionStep.filter(matter_id=matter.id, status__in=list(OPEN_STEP_STATUSES)).order_by(
            "id"
        )
        return f"{LEVEL_TITLES[matter.level]} {await step_names(steps)}"
    submitter = await Person.get(id=matter.submitter_id)
    return f"{OWED_REPLY[state]}，待 {submitter.name} 回复申请人"


def format_working_time(hours: float, settings: Settings) -> str:
    """``13.5`` with 9-hour office days → 「1 个工作日 4.5 小时」; ``2`` → 「2 小时」."""
    day = dt.date(2000, 1, 3)
    office_day = dt.datetime.combine(day, settings.office_end) - dt.datetime.combine(
        day, settings.office_start
    )
    day_hours = office_day / dt.timedelta(hours=1)
    hours = round(abs(hours), 1)  # tenths of an hour are enough in a chat list
    days, rest = divmod(hours, day_hours) if day_hours > 0 else (0.0, hours)
    rest = round(rest, 1)
    parts = [f"{int(days)} 个工作日"] if days else []
    if rest or not parts:
        parts.append(f"{rest:g} 小时")
    return " ".join(parts)
