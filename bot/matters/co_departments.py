"""协办股室: the co-departments a matter names, and the notice their heads get when it is submitted."""

from __future__ import annotations

from bot.matters import lookups
from bot.matters.chain import active_stand_in
from bot.matters.links import where_to_see
from bot.matters.store import local_today
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.matter import Matter
from models.org import Department, Person


async def co_departments_of(matter: Matter) -> list[Department]:
    """The co-departments in the order the form named them."""
    found = {d.id: d for d in await Department.filter(id__in=matter.co_department_ids or [])}
    return [found[i] for i in matter.co_department_ids or [] if i in found]


async def notify_co_departments(
    batch: OutboxBatch,
    matter: Matter,
    co_departments: tuple[Department, ...],
    *,
    level_title: str,
    names: str,
) -> list[str]:
    """Tell each co-department's head (and the stand-in acting for them today) about the matter,
    with where to see it. Returns who was told (「何晓燕（行政审批股）」) for the submitter's reply.

    Each head is told once per co-department named; the submitter is never told about their own
    matter (a submitter heading a co-department already knows).
    """
    told: list[str] = []
    if not co_departments:
        return told
    submitter = await lookups.person(matter.submitter_id)
    department = await lookups.department(matter.department_id)
    for co in co_departments:
        head = await Person.get_or_none(id=co.head_id, active=True) if co.head_id else None
        if head is None:
            continue
        stand_in = await active_stand_in(head.id, local_today(batch))
        text = render_text(
            "co_department_notice.md.j2",
            matter=matter,
            submitter=submitter,
            department=department,
            co_department=co,
            level_title=level_title,
            names=names,
            due=format_local(matter.due_at, batch.settings.tz),
            where=where_to_see(batch.settings, matter.number),
        )
        for person in (head, stand_in):
            if person is None or person.id == submitter.id:
                continue
            key = f"co_department:{matter.id}:{co.id}:{person.id}"
            await batch.text(person, text, dedupe_key=key)
            told.append(
                f"{person.name}（{co.name}）" if person is head else f"{person.name}（代 {head.name}）"
            )
    return told
