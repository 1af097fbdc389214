"""Who a reminder reaches at the moment it is sent besides the step's holder (who is
`bot.matters.holders.step_holder`'s answer): the next level up, the office groups; and how late the
matter is in words."""

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
    """``person_id``'s stand-in active on ``at``'s (local) date, else the person: never the submitter
    (for a leader who holds no step, e.g. the next level up; a step's holder is
    `bot.matters.holders.step_holder`)."""
    stand_in = await active_stand_in(person_id, at.date())
    if stand_in is not None and stand_in.id != submitter_id:
        return stand_in
    return await Person.get(id=person_id)


class Directory:
    """The people, sections, units and office groups one pass needs, each read once per pass (a
    pass over many due rows asks for the same few leaders again and again)."""

    def __init__(self, organisation_id: int) -> None:
        self.organisation_id = organisation_id
        self._departments: dict[int, Department] = {}
        self._units: dict[int, Unit] = {}
        self._holders: dict[tuple[int, dt.date, int], Person] = {}
        self._people: dict[int, Person] = {}
        self._offices: list[GroupChannel] | None = None

    async def holder_of(self, person_id: int, at: dt.datetime, submitter_id: int) -> Person:
        key = (person_id, at.date(), submitter_id)
        if key not in self._holders:
            self._holders[key] = await holder_of(person_id, at, submitter_id)
        return self._holders[key]

    async def next_level_up(self, step: DecisionStep, matter: Matter, at: dt.datetime) -> Person | None:
        """The leader above the step's level (the section's deputy, then the unit's principal), as
        held at ``at``; ``None`` above the principal."""
        leader_id: int | None = None
        if step.level == Level.SECTION_HEAD:
            leader_id = (await self.department(matter.department_id)).deputy_id
        elif step.level == Level.DEPUTY:
            leader_id = (await self.unit(matter.unit_id)).principal_id
        if leader_id is None:
            return None
        return await self.holder_of(leader_id, at, matter.submitter_id)

    async def remember(self, person_ids: set[int]) -> None:
        """Read the people of ``person_ids`` not known yet in one query (a chunk's holders)."""
        missing = person_ids - self._people.keys()
        if missing:
            self._people.update({p.id: p for p in await Person.filter(id__in=missing)})

    async def person(self, person_id: int) -> Person:
        if person_id not in self._people:
            self._people[person_id] = await Person.get(id=person_id)
        return self._people[person_id]

    async def department(self, department_id: int) -> Department:
        if department_id not in self._departments:
            self._departments[department_id] = await Department.get(id=department_id)
        return self._departments[department_id]

    async def unit(self, unit_id: int) -> Unit:
        if unit_id not in self._units:
            self._units[unit_id] = await Unit.get(id=unit_id)
        return self._units[unit_id]

    async def office_groups(self) -> list[GroupChannel]:
        if self._offices is None:
            self._offices = await office_groups(self.organisation_id)
        return self._offices


async def office_groups(organisation_id: int) -> list[GroupChannel]:
    return await GroupChannel.filter(organisation_id=organisation_id, kind=GroupKind.OFFICE).order_by("id")


def lateness(calendar: WorkCalendar, due_at: dt.datetime, now: dt.datetime) -> str:
    """“已逾期 2 个工作日”, or on the due day itself “已超过回复期限”."""
    late = working_days_late(calendar, due_at, now)
    return f"已逾期 {late} 个工作日" if late else "已超过回复期限"
