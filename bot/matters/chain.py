"""Who decides a matter: the four-level chain of its section, and acting stand-ins (代理)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.matters import lookups
from bot.matters.workflow import Chain, Level
from models.org import Department, Person, StandIn


class ChainError(ValueError):
    """The org data cannot route this matter (a section without head or deputy, a unit without principal)."""


async def chain_for(department: Department, co_departments: Iterable[Department]) -> Chain:
    """The approvers per level: section head, the deputies in charge (lead first, 会商), the principal."""
    unit = await lookups.unit(department.unit_id)
    if department.head_id is None or department.deputy_id is None:
        raise ChainError(f"股室“{department.name}”没有设置负责人或分管领导，请联系管理员更新组织架构")
    if unit.principal_id is None:
        raise ChainError(f"单位“{unit.name}”没有设置主要领导，请联系管理员更新组织架构")
    deputies = [department.deputy_id]
    for co in co_departments:
        if co.deputy_id is not None and co.deputy_id not in deputies:
            deputies.append(co.deputy_id)
    return Chain(
        levels={
            Level.SECTION_HEAD: (department.head_id,),
            Level.DEPUTY: tuple(deputies),
            Level.PRINCIPAL: (unit.principal_id,),
        }
    )


async def active_stand_in(person_id: int, today: dt.date) -> Person | None:
    """The stand-in acting for ``person_id`` today, if any."""
    row = (
        await StandIn.filter(person_id=person_id, start_date__lte=today, end_date__gte=today)
        .order_by("-start_date")
        .prefetch_related("stand_in")
        .first()
    )
    return None if row is None else row.stand_in


async def standing_in_for(person_id: int, today: dt.date) -> frozenset[int]:
    """The leaders ``person_id`` stands in for today."""
    rows = await StandIn.filter(stand_in_id=person_id, start_date__lte=today, end_date__gte=today)
    return frozenset(row.person_id for row in rows)


async def stand_ins_on(person_ids: Iterable[int], day: dt.date) -> dict[int, int]:
    """Leader id → the stand-in acting for them on ``day`` (the latest-starting range wins)."""
    return await lookups.stand_ins_on(person_ids, day)  # read once per event
