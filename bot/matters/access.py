"""Who may see a matter's page (and its attachments): its submitter, every approver of its chain
and each stand-in that holds or held one of its steps, the heads of its 协办股室, and the office,
discipline and principal roles — all of the matter's own organisation. Anyone else gets nothing.

A minimal version written by the pages-form slice against the agreed signature; the pages-matter
slice's fuller one (with ``open_step_of``) replaces it at merge.
"""

from __future__ import annotations

from models.matter import DecisionStep, Matter
from models.org import Department, Person, Role, StandIn, Unit

OVERSEERS = (Role.OFFICE, Role.DISCIPLINE, Role.PRINCIPAL)


async def may_view(person: Person, matter: Matter) -> bool:
    """Whether ``person`` may see ``matter`` (never across organisations)."""
    if not person.active or person.organisation_id != matter.organisation_id:
        return False
    if person.id == matter.submitter_id or any(person.has_role(role) for role in OVERSEERS):
        return True
    steps = await DecisionStep.filter(matter_id=matter.id)
    if any(person.id in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) for s in steps):
        return True
    departments = await Department.filter(id__in=[matter.department_id, *matter.co_department_ids])
    leaders = {d.head_id for d in departments} | {d.deputy_id for d in departments}
    unit = await Unit.get_or_none(id=matter.unit_id)
    if unit is not None:
        leaders.add(unit.principal_id)
    if person.id in leaders:
        return True
    # A stand-in of a leader of the chain, for any period.
    return await StandIn.filter(
        organisation_id=matter.organisation_id, stand_in_id=person.id, person_id__in=[i for i in leaders if i]
    ).exists()
