"""What the 纪检组's pages read: its cases (scoped to the organisation), one case with its
complaint and decisions, and the people a decision may name."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.functions import Count

from models.discipline import Accountability, DisciplineCase, DisciplineState
from models.org import Person

MAX_CASES = 500


@dataclass(frozen=True)
class CaseDetail:
    case: DisciplineCase
    decisions: list[Accountability]


async def cases_of(organisation_id: int, state: DisciplineState | None = None) -> list[DisciplineCase]:
    """The organisation's cases, open ones first, newest first (complaint and section with them)."""
    query = DisciplineCase.filter(organisation_id=organisation_id)
    if state is not None:
        query = query.filter(state=state)
    rows = (
        await query.order_by("-referred_at", "-id")
        .limit(MAX_CASES)
        .prefetch_related("complaint", "department")
    )
    return sorted(rows, key=lambda c: c.state is DisciplineState.CLOSED)


async def decision_counts(case_ids: list[int]) -> dict[int, int]:
    """Accountability decisions per case id."""
    rows = (
        await Accountability.filter(case_id__in=case_ids or [-1])
        .group_by("case_id")
        .annotate(n=Count("id"))
        .values("case_id", "n")
    )
    return {int(r["case_id"]): int(r["n"]) for r in rows}


async def case_detail(organisation_id: int, case_id: int) -> CaseDetail | None:
    case = await DisciplineCase.get_or_none(id=case_id, organisation_id=organisation_id).prefetch_related(
        "complaint", "department", "matter"
    )
    if case is None:
        return None
    decisions = (
        await Accountability.filter(case_id=case.id)
        .order_by("decided_on", "id")
        .prefetch_related("person__unit", "person__department")
    )
    return CaseDetail(case, decisions)


async def latest_case_of(organisation_id: int, complaint_id: int) -> DisciplineCase | None:
    """The complaint's latest case (shown on the complaint's page), if it was ever referred."""
    return (
        await DisciplineCase.filter(organisation_id=organisation_id, complaint_id=complaint_id)
        .order_by("-referred_at", "-id")
        .first()
    )


async def people_of(organisation_id: int) -> list[Person]:
    """The organisation's active people, by unit, section and name (the decision's person list)."""
    return (
        await Person.filter(organisation_id=organisation_id, active=True)
        .order_by("unit_id", "department_id", "name")
        .prefetch_related("unit", "department")
    )
