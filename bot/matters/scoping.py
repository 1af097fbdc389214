"""Which matters a console viewer may see: the whole organisation (office, 纪检组, admin) or, for a
leader (主要领导 / 分管领导), the units they lead and the sections they are in charge of — also those
of a leader they stand in for today. Expressed as a query filter, so lists and figures are counted
by the database inside the scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.expressions import Q

from bot.matters.chain import standing_in_for
from bot.matters.watchlist import Scope
from models.org import Department, Unit

__all__ = ["Scope", "leader_scope", "matters_in"]


async def leader_scope(organisation_id: int, person_id: int, today: dt.date) -> Scope:
    """The units a principal leads and the sections a deputy is in charge of (empty when neither)."""
    ids = [person_id, *await standing_in_for(person_id, today)]
    units = await Unit.filter(organisation_id=organisation_id, principal_id__in=ids).order_by("id")
    departments = await Department.filter(organisation_id=organisation_id, deputy_id__in=ids).order_by("id")
    unit_ids = {u.id for u in units}
    label = "、".join([u.name for u in units] + [d.name for d in departments if d.unit_id not in unit_ids])
    return Scope(
        label or "（无分管）",
        unit_ids=frozenset(unit_ids),
        department_ids=frozenset(d.id for d in departments),
    )


def matters_in(organisation_id: int, scope: Scope, prefix: str = "") -> Q:
    """A filter on ``Matter`` (or, with ``prefix="matter__"``, on a row that points to one) for the
    matters of ``organisation_id`` within ``scope``: its unit or its lead section."""
    mine: dict[str, Any] = {f"{prefix}organisation_id": organisation_id}
    own = Q(**mine)
    if scope.whole_organisation:
        return own
    units: dict[str, Any] = {f"{prefix}unit_id__in": sorted(scope.unit_ids) or [-1]}
    sections: dict[str, Any] = {f"{prefix}department_id__in": sorted(scope.department_ids) or [-1]}
    return own & (Q(**units) | Q(**sections))
