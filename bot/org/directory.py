"""The organisation as the console shows it: units, their sections with the four-level chain of
each (names and phones), people, stand-ins and groups. Read-only; every query is scoped by the
organisation id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from models.enums import GroupKind
from models.org import Department, GroupChannel, Person, Role, StandIn, Unit

#: The four levels of 说“不”提级 (policy §二): who holds each one for a section.
LEVEL_NAMES = ("首问责任人", "股室负责人", "分管领导", "主要领导")
STRUCTURAL_ROLES = frozenset({Role.PRINCIPAL, Role.SECTION_HEAD, Role.DEPUTY})
ROLE_LABELS: Mapping[Role, str] = {
    Role.STAFF: "工作人员",
    Role.SECTION_HEAD: "股室负责人",
    Role.DEPUTY: "分管领导",
    Role.PRINCIPAL: "主要领导",
    Role.OFFICE: "活动办公室",
    Role.DISCIPLINE: "纪检组",
    Role.ADMIN: "管理员",
}


@dataclass(frozen=True)
class Holder:
    """A person holding a level, and who stands in for them today (if anyone)."""

    person: Person | None
    stand_in: Person | None = None


@dataclass(frozen=True)
class SectionChain:
    department: Department
    staff: tuple[Person, ...]
    head: Holder
    deputy: Holder
    principal: Holder

    @property
    def levels(self) -> tuple[tuple[str, tuple[Holder, ...]], ...]:
        """(level name, holders) from 首问责任人 up to 主要领导."""
        first = tuple(Holder(p) for p in self.staff)
        return (
            (LEVEL_NAMES[0], first),
            (LEVEL_NAMES[1], (self.head,)),
            (LEVEL_NAMES[2], (self.deputy,)),
            (LEVEL_NAMES[3], (self.principal,)),
        )


@dataclass(frozen=True)
class UnitChains:
    unit: Unit
    principal: Person | None
    sections: tuple[SectionChain, ...]


@dataclass(frozen=True)
class StandInRow:
    row: StandIn
    person: Person
    stand_in: Person

    def state(self, today: dt.date) -> str:
        if self.row.end_date < today:
            return "已结束"
        return "代理中" if self.row.start_date <= today else "未开始"


@dataclass(frozen=True)
class Directory:
    units: tuple[UnitChains, ...]
    people: tuple[Person, ...]
    stand_ins: tuple[StandInRow, ...]
    groups: tuple[GroupChannel, ...]
    unit_names: Mapping[int, str]
    department_names: Mapping[int, str]

    def person(self, person_id: int | None) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)


def role_labels(person: Person) -> str:
    """The person's roles in Chinese, in the order of ``Role``."""
    roles = set(person.roles or [])
    return "、".join(label for role, label in ROLE_LABELS.items() if role.value in roles)


async def load_directory(
    organisation_id: int, today: dt.date, unit_ids: Collection[int] | None = None
) -> Directory:
    """Everything the org page shows; ``unit_ids`` limits units and sections (a leader's units)."""
    units_q = Unit.filter(organisation_id=organisation_id).order_by("id")
    depts_q = Department.filter(organisation_id=organisation_id).order_by("id")
    if unit_ids is not None:
        units_q = units_q.filter(id__in=list(unit_ids))
        depts_q = depts_q.filter(unit_id__in=list(unit_ids))
    units, depts = await units_q, await depts_q
    people = await Person.filter(organisation_id=organisation_id).order_by("unit_id", "department_id", "id")
    by_id = {p.id: p for p in people}
    stand_rows = await StandIn.filter(organisation_id=organisation_id).order_by("-start_date", "id")
    acting = {
        s.person_id: by_id.get(s.stand_in_id)
        for s in sorted(stand_rows, key=lambda s: s.start_date)
        if s.start_date <= today <= s.end_date
    }

    def holder(person_id: int | None) -> Holder:
        person = by_id.get(person_id) if person_id is not None else None
        return Holder(person, acting.get(person_id) if person_id is not None else None)

    chains = []
    for unit in units:
        sections = tuple(
            SectionChain(
                department=d,
                staff=tuple(p for p in people if p.department_id == d.id and p.active and p.id != d.head_id),
                head=holder(d.head_id),
                deputy=holder(d.deputy_id),
                principal=holder(unit.principal_id),
            )
            for d in depts
            if d.unit_id == unit.id
        )
        chains.append(UnitChains(unit, by_id.get(unit.principal_id or 0), sections))
    shown_units = {u.id for u in units}
    shown = tuple(p for p in people if unit_ids is None or p.unit_id in shown_units)
    stand_ins = tuple(
        StandInRow(s, by_id[s.person_id], by_id[s.stand_in_id])
        for s in stand_rows
        if s.person_id in by_id
        and s.stand_in_id in by_id
        and (unit_ids is None or by_id[s.person_id] in shown)
    )
    groups = await GroupChannel.filter(organisation_id=organisation_id).order_by("kind", "id")
    if unit_ids is not None:
        groups = [g for g in groups if g.kind is GroupKind.OFFICE or g.unit_id in shown_units]
    return Directory(
        units=tuple(chains),
        people=shown,
        stand_ins=stand_ins,
        groups=tuple(groups),
        unit_names={u.id: u.name for u in units},
        department_names={d.id: d.name for d in depts},
    )
