"""Loading and saving a matter: its pure view, the conditional update on ``version``, its audit row,
and the 「已由 X 于 T 处理」 answer. Callers open the transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.audit import append_audit
from bot.errors import ConcurrentChange
from bot.logs import bind_matter
from bot.matters import lookups
from bot.matters.chain import chain_for, stand_ins_on
from bot.matters.workflow import (
    Action,
    MatterState,
    MatterView,
    StepStatus,
    StepView,
    step_leader,
)
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local
from models.catalog import CatalogItem
from models.matter import DecisionStep, Matter
from models.org import Department, Person


@dataclass(frozen=True)
class MatterForm:
    """A validated 说“不”事项提级管理审批表."""

    applicant: str
    applicant_phone: str
    subject: str
    reason: str
    request: str = ""
    policy_basis: str = ""
    catalog_item: CatalogItem | None = None
    co_departments: tuple[Department, ...] = field(default_factory=tuple)


@dataclass
class ServiceResult:
    """What happened, for the immediate reply (messages to others are already in the outbox)."""

    message: str
    matter: Matter | None = None


def local_today(batch: OutboxBatch) -> dt.date:
    return batch.now.astimezone(batch.settings.tz).date()


async def matter_view(
    matter: Matter, day: dt.date, *, steps_read: list[DecisionStep] | None = None
) -> MatterView:
    """The matter as the rules see it on ``day`` (the stand-ins active that day). ``steps_read``:
    all of the matter's steps, when the caller has just read them."""
    department = await lookups.department(matter.department_id)
    co = await lookups.departments(matter.co_department_ids or [])
    chain = await chain_for(department, co)
    if steps_read is None:
        steps_read = await DecisionStep.filter(matter_id=matter.id).order_by("id")
    steps = tuple(step_view(s) for s in sorted(steps_read, key=lambda s: s.id))
    leaders = [a for level in chain.levels.values() for a in level] + [step_leader(s) for s in steps]
    return MatterView(
        state=MatterState(matter.state),
        level=matter.level,
        submitter_id=matter.submitter_id,
        chain=chain,
        steps=steps,
        stand_ins=await stand_ins_on(leaders, day),
    )


def step_view(step: DecisionStep) -> StepView:
    return StepView(
        id=step.id,
        level=step.level,
        approver_id=step.approver_id,
        on_behalf_of_id=step.on_behalf_of_id,
        lead=step.lead,
        status=StepStatus(step.status),
        decision=Action(step.decision) if step.decision else None,
        decided_by_id=step.decided_by_id,
    )


async def audit_matter(
    batch: OutboxBatch, actor: Person | None, action: str, matter: Matter, **data: object
) -> None:
    bind_matter(matter.number)  # every later log line of this request names the matter
    await append_audit(
        matter.organisation_id,
        at=batch.now,
        actor=actor.handle if actor else "system",
        action=action,
        subject=matter.number,
        data={"state": matter.state, "level": matter.level, **data},
    )


async def save_matter(matter: Matter, **changes: object) -> None:
    """The conditional update: only if nobody changed the matter since we read it."""
    updated = await Matter.filter(id=matter.id, version=matter.version).update(
        version=matter.version + 1, **changes
    )
    if updated != 1:
        raise ConcurrentChange(matter.number)
    for key, value in changes.items():
        setattr(matter, key, value)
    matter.version += 1


async def handled_message(step: DecisionStep, matter: Matter, tz: dt.tzinfo) -> str:
    """「已由 X 于 T 处理」 for a card whose step is no longer open."""
    if matter.state == MatterState.WITHDRAWN:
        submitter = await Person.get(id=matter.submitter_id)
        return (
            f"{matter.number} 已由 {submitter.name} 于 {format_local(matter.withdrawn_at, tz)} 撤回，无需处理"
        )
    decided = step
    if step.status != StepStatus.DECIDED or step.decided_by_id is None:
        # Superseded: show who decided the matter (or the level) instead.
        other = (
            await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED)
            .order_by("-decided_at", "-id")
            .first()
        )
        decided = other or step
    who = await Person.get_or_none(id=decided.decided_by_id) if decided.decided_by_id else None
    name = who.name if who else "他人"
    return f"{matter.number} 已由 {name} 于 {format_local(decided.decided_at, tz)} 处理"
