"""Who may open a matter's page, and which of its steps is the viewer's to decide.

A matter is seen by its submitter; everyone on its chain — the section head, the deputies in charge
(协办股室's included), the unit's principal — and whoever stood in for them since it was submitted
(a range that has begun by ``today``: one booked for later sees the matter when it starts);
everyone who held or decided one of its steps; the heads of its 协办股室; and the office, 纪检组,
principals and admins of the same organisation. Nobody else, and never anyone of another
organisation, whatever number they type. The pages and the chat's 查询 ask this one rule.
"""

from __future__ import annotations

import datetime as dt

from bot.matters.chain import ChainError, chain_for
from bot.matters.holders import open_step_holders
from bot.matters.workflow import OPEN_STEP_STATUSES
from models.matter import DecisionStep, Matter
from models.org import Department, Person, Role, StandIn

WHOLE_ORGANISATION_ROLES = frozenset({Role.OFFICE, Role.DISCIPLINE, Role.PRINCIPAL, Role.ADMIN})


async def may_view(person: Person, matter: Matter, *, today: dt.date) -> bool:
    """Whether ``person`` may read ``matter`` (its page, its attachments, 查询) on ``today`` (the
    organisation's local date: it decides which stand-ins have begun)."""
    if not person.active or person.organisation_id != matter.organisation_id:
        return False
    if person.id == matter.submitter_id or any(person.has_role(r) for r in WHOLE_ORGANISATION_ROLES):
        return True
    return person.id in await _involved(matter, today)


async def _involved(matter: Matter, today: dt.date) -> set[int]:
    """Everyone on the matter's chain, its steps and its 协办股室, and their stand-ins since it began
    (ranges begun by ``today``)."""
    steps = await DecisionStep.filter(matter_id=matter.id)
    people = {i for s in steps for i in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) if i is not None}
    department = await Department.get_or_none(id=matter.department_id)
    co = await Department.filter(id__in=matter.co_department_ids) if matter.co_department_ids else []
    people.update(d.head_id for d in co if d.head_id is not None)
    if department is not None:
        try:
            chain = await chain_for(department, co)
        except ChainError:  # the org file changed since: the steps still say who was involved
            pass
        else:
            people.update(a for level in chain.levels.values() for a in level)
    since = matter.submitted_at.date() - dt.timedelta(days=1)  # a day's slack for the time zone
    stand_ins = await StandIn.filter(
        organisation_id=matter.organisation_id,
        person_id__in=list(people),
        end_date__gte=since,
        start_date__lte=today,
    )
    people.update(s.stand_in_id for s in stand_ins)
    return people


async def open_step_of(
    person: Person,
    matter: Matter,
    *,
    at: dt.datetime | None = None,
    tz: dt.tzinfo | None = None,
) -> DecisionStep | None:
    """The open step of ``matter`` that ``person`` holds at ``at`` (normally ``clock.now()``, with
    ``settings.tz`` for the stand-in dates), as ``step_holder`` says; None if they hold none."""
    if person.organisation_id != matter.organisation_id or not person.active:
        return None
    steps = await DecisionStep.filter(matter_id=matter.id, status__in=list(OPEN_STEP_STATUSES)).order_by("id")
    if not steps:
        return None
    when = at if at is not None else dt.datetime.now(dt.UTC)
    try:
        held = await open_step_holders(matter, when, tz=tz)
    except ChainError:  # the org data cannot route the matter now: nobody may decide it here
        return None
    return next((s for s in steps if held.get(s.id) == person.id), None)
