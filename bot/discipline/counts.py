"""The 纪检组's figures for the assessment (考核) and the quarterly table: cases referred per
section, and accountability decisions per person (经查不予追究 is no decision against anyone)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from tortoise.functions import Count

from models.discipline import Accountability, AccountabilityMeasure, DisciplineCase


async def referred_per_section(
    organisation_id: int, start: dt.datetime, end: dt.datetime
) -> Mapping[int | None, int]:
    """Cases referred in ``[start, end)`` per section id (None: no section named)."""
    rows = (
        await DisciplineCase.filter(
            organisation_id=organisation_id, referred_at__gte=start, referred_at__lt=end
        )
        .group_by("department_id")
        .annotate(n=Count("id"))
        .values("department_id", "n")
    )
    return {(None if r["department_id"] is None else int(r["department_id"])): int(r["n"]) for r in rows}


async def decisions_per_person(organisation_id: int, first: dt.date, last: dt.date) -> Mapping[int, int]:
    """责任追究 decisions dated ``first``…``last`` (inclusive) per person id."""
    rows = (
        await Accountability.filter(
            organisation_id=organisation_id, decided_on__gte=first, decided_on__lte=last
        )
        .exclude(measure=AccountabilityMeasure.NONE)
        .group_by("person_id")
        .annotate(n=Count("id"))
        .values("person_id", "n")
    )
    return {int(r["person_id"]): int(r["n"]) for r in rows}
