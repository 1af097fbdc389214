"""Who a reminder reaches at the moment it is sent: the step's holder then, the next level up, the
office groups, and how late the matter is in words."""

from __future__ import annotations

import datetime as dt

from bot.calendar.workdays import WorkCalendar
from bot.jobs.ladder import working_days_late
from bot.matters.chain import active_stand_in
from bot.matters.workflow import Level
from models.enums import GroupKind
from models.matter import DecisionStep, Matter
from models.org import Department, GroupChannel, Person, Unit


async def holder_of(person_id: int, at: dt.datetime, submitter_id: int) -> Person:
    """``person_id``'s stand-in active on ``at``'s (local) date, else the person: never the submitter."""
    stand_in = await active_stand_in(person_id, at.date())
    if stand_in is not None and stand_in.id != submitter_id:
        return stand_in
    return await Person.get(id=person_id)


async def step_holder(step: DecisionStep, at: dt.datetime) -> Person:
    """Who may act on the open ``step`` at ``at`` (aware, in the organisation's time zone): the leader
    the step belongs to, or the leader's stand-in active then — whoever the card went to at opening.

    Local stand-in for ``bot.matters.holders.step_holder`` (policy-chain) until it is on main.
    """
    matter = await Matter.get(id=step.matter_id)
    leader = step.on_behalf_of_id or step.approver_id
    return await holder_of(leader, at, matter.submitter_id)


async def next_level_up(step: DecisionStep, matter: Matter, at: dt.datetime) -> Person | None:
    """The leader above the step's level (the section's deputy, then the unit's principal), as held at
    ``at``; ``None`` above the principal."""
    leader_id: int | None = None
    if step.level == Level.SECTION_HEAD:
        department = await Department.get(id=matter.department_id)
        leader_id = department.deputy_id
    elif step.level == Level.DEPUTY:
        unit = await Unit.get(id=matter.unit_id)
        leader_id = unit.principal_id
    if leader_id is None:
        return None
    return await holder_of(leader_id, at, matter.submitter_id)


async def office_groups(organisation_id: int) -> list[GroupChannel]:
    return await GroupChannel.filter(organisation_id=organisation_id, kind=GroupKind.OFFICE).order_by("id")


def lateness(calendar: WorkCalendar, due_at: dt.datetime, now: dt.datetime) -> str:
    """“已逾期 2 个工作日”, or on the due day itself “已超过回复期限”."""
    late = working_days_late(calendar, due_at, now)
    return f"已逾期 {late} 个工作日" if late else "已超过回复期限"
