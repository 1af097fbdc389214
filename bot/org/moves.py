"""调动: moving a person to another section or unit in the console, so that the chain stays whole.

What moves is where the person works, so the chain their *new* matters climb: a 说“不” they submit
after the move goes to the new section's head, deputy and principal. What does not move:

- matters submitted before stay with the section they were submitted in (their chain, figures
  and quarter's table do not change); the person stays their 首问责任人 and owes their replies;
- a decision step already sent to the person stays theirs (or their stand-in's), as any step
  stays with whom it was sent to when it opened (`bot.matters.holders`);
- a post does not travel: someone who heads their section cannot leave it, nor a principal or a
  section's 分管领导 their unit, until the post is given to someone else (组织与链条), and a move
  to another unit waits until their current and coming stand-ins (either way) are ended.

Callers open the transaction and audit the returned :class:`Change` (``org.person_move``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q

from bot.org.changes import Change, OrgEditError
from bot.org.newcomers import unit_and_section
from models.enums import MatterState, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Department, Person, StandIn, Unit

OPEN_STEPS = (StepStatus.PENDING, StepStatus.AWAITING_TEXT)
OWING = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)


@dataclass(frozen=True)
class OpenWork:
    """What the person has in hand, which stays with them when they move."""

    steps: int  # decision steps sent to them (as the leader or a stand-in), still open
    matters: int  # matters they submitted that are still being decided or owe their reply


async def open_work(organisation_id: int, person_id: int) -> OpenWork:
    steps = await DecisionStep.filter(
        Q(approver_id=person_id) | Q(on_behalf_of_id=person_id),
        organisation_id=organisation_id,
        status__in=list(OPEN_STEPS),
        matter__state=MatterState.PENDING,
    ).count()
    matters = await Matter.filter(
        organisation_id=organisation_id, submitter_id=person_id, state__in=list(OWING)
    ).count()
    return OpenWork(steps, matters)


async def _place_values(person: Person) -> dict[str, object]:
    unit = await Unit.get_or_none(id=person.unit_id) if person.unit_id else None
    dept = await Department.get_or_none(id=person.department_id) if person.department_id else None
    return {"unit": unit.name if unit else "", "section": dept.name if dept else ""}


async def _posts_left_behind(person: Person, unit: Unit, dept: Department | None) -> list[str]:
    """The posts of the person's current section and unit the move would take them away from."""
    held = []
    if person.department_id is not None and (dept is None or dept.id != person.department_id):
        own = await Department.get_or_none(id=person.department_id)
        if own is not None and own.head_id == person.id:
            held.append(f"{own.name}负责人")
    if person.unit_id is not None and unit.id != person.unit_id:
        old = await Unit.get(id=person.unit_id)
        if old.principal_id == person.id:
            held.append(f"{old.name}主要领导")
        for section in await Department.filter(unit_id=old.id).order_by("id"):
            if section.head_id == person.id and section.id != person.department_id:
                held.append(f"{section.name}负责人")
            if section.deputy_id == person.id:
                held.append(f"{section.name}分管领导")
    return held


async def move_person(organisation_id: int, person_id: int, place: object, today: dt.date) -> Change:
    """Move the person to ``place`` (``d:<section id>`` or ``u:<unit id>``); refuses, with what to
    do first, a move that would leave a post or a stand-in behind (nothing stored)."""
    person = await Person.get_or_none(id=person_id, organisation_id=organisation_id)
    if person is None:
        raise OrgEditError("没有这个人员，请刷新页面")
    unit, dept = await unit_and_section(organisation_id, place)
    before = await _place_values(person)
    subject = f"person:{person.id}"
    if (unit.id, dept.id if dept else None) == (person.unit_id, person.department_id):
        return Change("org.person_move", subject, before, before)
    held = await _posts_left_behind(person, unit, dept)
    if held:
        raise OrgEditError(f"{person.name}还是{'、'.join(held)}：请先在组织与链条中指定接任的人，再调动")
    if unit.id != person.unit_id:
        ranges = await StandIn.filter(
            Q(person_id=person.id) | Q(stand_in_id=person.id), organisation_id=organisation_id,
            end_date__gte=today,
        ).count()  # fmt: skip
        if ranges:
            raise OrgEditError(
                f"{person.name}还有 {ranges} 个未结束的代理安排：调往其他单位前，请先在代理安排中结束它们"
            )
    person.unit_id, person.department_id = unit.id, dept.id if dept else None
    await person.save(update_fields=["unit_id", "department_id"])
    return Change("org.person_move", subject, before, await _place_values(person))
