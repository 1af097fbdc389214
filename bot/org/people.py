"""Console edits of people and the chain: a person's name, title, phone, roles and active flag;
who heads a section (股室负责人), who is its 分管领导, who is a unit's 主要领导.

The roles the structure gives (principal, section_head, deputy) follow the assignments, exactly as
`tiji org import` derives them, so a console edit exports to a file that imports back unchanged:
roles are kept in the order of ``Role``, and nobody is left without one (then ``staff``).
Callers open the transaction and audit the returned :class:`Change`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from bot.org.changes import Change, OrgEditError, clean_phone, clean_text
from bot.org.directory import ROLE_LABELS, STRUCTURAL_ROLES
from models.org import Department, Person, Role, StandIn, Unit


async def _person(organisation_id: int, person_id: int | None, label: str) -> Person:
    person = (
        None if person_id is None else await Person.get_or_none(id=person_id, organisation_id=organisation_id)
    )
    if person is None:
        raise OrgEditError(f"请选择{label}（所选人员不存在）")
    return person


async def structural_roles(organisation_id: int) -> dict[int, set[Role]]:
    """person id → the roles their positions give."""
    out: dict[int, set[Role]] = {}
    for principal in await Unit.filter(organisation_id=organisation_id).values_list(
        "principal_id", flat=True
    ):
        if principal is not None:
            out.setdefault(int(principal), set()).add(Role.PRINCIPAL)  # type: ignore[call-overload]
    for head, deputy in await Department.filter(organisation_id=organisation_id).values_list(
        "head_id", "deputy_id"
    ):
        if head is not None:
            out.setdefault(head, set()).add(Role.SECTION_HEAD)
        if deputy is not None:
            out.setdefault(deputy, set()).add(Role.DEPUTY)
    return out


def canonical_roles(chosen: Iterable[Role], derived: Collection[Role]) -> list[str]:
    """What the import would store: the chosen roles without structural ones, plus those the
    structure gives, in the order of ``Role``, or ``staff``."""
    wanted = {r for r in chosen if r not in STRUCTURAL_ROLES} | set(derived)
    return [r.value for r in Role if r in wanted] or [Role.STAFF.value]


async def refresh_roles(organisation_id: int, person_ids: Iterable[int]) -> None:
    """Re-derive the structural roles of ``person_ids`` after a change of the chain."""
    derived = await structural_roles(organisation_id)
    for person in await Person.filter(organisation_id=organisation_id, id__in=list(set(person_ids))):
        chosen = [Role(r) for r in person.roles or [] if r in Role.__members__.values()]
        roles = canonical_roles(chosen, derived.get(person.id, set()))
        if roles != person.roles:
            person.roles = roles
            await person.save(update_fields=["roles"])


def parse_roles(values: Iterable[str]) -> list[Role]:
    roles = []
    for value in values:
        if value not in Role.__members__.values():
            raise OrgEditError(f"没有“{value[:20]}”这个角色，可选：{'、'.join(ROLE_LABELS.values())}")
        roles.append(Role(value))
    return roles


def _person_values(person: Person) -> dict[str, object]:
    return {"name": person.name, "title": person.title, "phone": person.phone, "roles": list(person.roles or []),
            "active": person.active}  # fmt: skip


async def _positions(organisation_id: int, person_id: int) -> list[str]:
    """What still names the person (a position, a current or coming stand-in), in Chinese."""
    held = [
        f"{u.name}主要领导"
        for u in await Unit.filter(organisation_id=organisation_id, principal_id=person_id)
    ]
    for d in await Department.filter(organisation_id=organisation_id).order_by("id"):
        if d.head_id == person_id:
            held.append(f"{d.name}负责人")
        if d.deputy_id == person_id:
            held.append(f"{d.name}分管领导")
    return held


async def edit_person(
    organisation_id: int, person_id: int, *, name: object, title: object, phone: object,
    roles: Iterable[str], active: bool, today: dt.date,
) -> Change:  # fmt: skip
    """Save a person's fields; refuses bad input, and 停用 of someone the chain still names."""
    person = await _person(organisation_id, person_id, "人员")
    before = _person_values(person)
    new_name = clean_text(name, "姓名", max_length=64, required=True)
    new_title = clean_text(title, "职务", max_length=64)
    new_phone = clean_phone(phone)
    chosen = parse_roles(roles)
    if not active and person.active:
        held = await _positions(organisation_id, person.id)
        if held:
            raise OrgEditError(f"{person.name}还是{'、'.join(held)}，请先指定其他人，再停用")
        if await StandIn.filter(stand_in_id=person.id, end_date__gte=today).exists():
            raise OrgEditError(f"{person.name}还有未结束的代理安排（代别人审批），请先结束它，再停用")
    derived = (await structural_roles(organisation_id)).get(person.id, set())
    person.name, person.title, person.phone, person.active = new_name, new_title, new_phone, active
    person.roles = canonical_roles(chosen, derived)
    after = _person_values(person)
    if after != before:
        await person.save()
    return Change("org.person", f"person:{person.id}", before, after)


async def assign_section(organisation_id: int, department_id: int, head_id: int | None,
                         deputy_id: int | None) -> Change:  # fmt: skip
    """Set a section's 股室负责人 (level 2) and 分管领导 (level 3), with the checks of the org file."""
    dept = await Department.get_or_none(id=department_id, organisation_id=organisation_id)
    if dept is None:
        raise OrgEditError("没有这个股室，请刷新页面")
    unit = await Unit.get(id=dept.unit_id)
    head = await _person(organisation_id, head_id, "股室负责人")
    deputy = await _person(organisation_id, deputy_id, "分管领导")
    for who, label in ((head, "股室负责人"), (deputy, "分管领导")):
        if not who.active:
            raise OrgEditError(f"{who.name}已停用，不能担任{label}")
        if who.id == unit.principal_id:
            raise OrgEditError(f"{who.name}是本单位主要领导，不能同时担任{label}")
    if head.id == deputy.id:
        raise OrgEditError("分管领导和股室负责人不能是同一人")
    before = {"head": dept.head_id, "deputy": dept.deputy_id}
    after = {"head": head.id, "deputy": deputy.id}
    if after != before:
        dept.head_id, dept.deputy_id = head.id, deputy.id
        await dept.save(update_fields=["head_id", "deputy_id"])
        await refresh_roles(
            organisation_id, [p for p in (*before.values(), *after.values()) if p is not None]
        )
    return Change("org.chain", f"department:{dept.id}", before, after)


async def assign_principal(organisation_id: int, unit_id: int, principal_id: int | None) -> Change:
    """Set a unit's 主要领导 (level 4)."""
    unit = await Unit.get_or_none(id=unit_id, organisation_id=organisation_id)
    if unit is None:
        raise OrgEditError("没有这个单位，请刷新页面")
    principal = await _person(organisation_id, principal_id, "主要领导")
    if not principal.active:
        raise OrgEditError(f"{principal.name}已停用，不能担任主要领导")
    clash = (
        await Department.filter(unit_id=unit.id).filter(head_id=principal.id).first()
        or await Department.filter(unit_id=unit.id, deputy_id=principal.id).first()
    )
    if clash is not None:
        raise OrgEditError(f"{principal.name}是{clash.name}的负责人或分管领导，请先在该股室指定其他人")
    before = {"principal": unit.principal_id}
    after = {"principal": principal.id}
    if after != before:
        unit.principal_id = principal.id
        await unit.save(update_fields=["principal_id"])
        await refresh_roles(
            organisation_id, [p for p in (before["principal"], principal.id) if p is not None]
        )
    return Change("org.principal", f"unit:{unit.id}", before, after)
