"""Loading and saving a matter: its pure view, the conditional update on ``version``, its audit row,
and the 「已由 X 于 T 处理」 answer. Callers open the transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from tortoise.expressions import Q
from tortoise.models import Model

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
from models.counters import first_row
from models.enums import PromptPurpose
from models.matter import DecisionStep, Matter, TextPrompt
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


async def save_decision(
    matter: Matter,
    step: DecisionStep,
    step_fields: Sequence[str],
    *,
    answered_at: dt.datetime,
    invited: Person | None,
    changes: dict[str, object],
) -> None:
    """A decision's writes: ``step``'s ``step_fields`` as set on it, the step's open prompts
    answered at ``answered_at``, and the matter's conditional update (``save_matter``'s,
    ``ConcurrentChange`` when someone changed it first). ``invited``: the actor whose next plain
    message becomes the comment on the decision (``prompts.ask_for_words``): their older open
    prompts lapse and a comment prompt on ``step`` opens. On PostgreSQL one statement: the UPDATEs
    and the prompt's INSERT in one WITH, each only once the matter's version check has passed (one
    round trip instead of four or five on every tap); the UPDATE of the prompts does not see the
    INSERT's row (one snapshot), so the new prompt stays open."""
    if Matter._meta.db.capabilities.dialect != "postgres":
        await step.save(update_fields=list(step_fields))
        answered = Q(step_id=step.id) | Q(person_id=invited.id) if invited else Q(step_id=step.id)
        await TextPrompt.filter(answered, answered_at__isnull=True).update(answered_at=answered_at)
        await save_matter(matter, **changes)
        if invited is not None:
            await TextPrompt.create(
                organisation_id=matter.organisation_id, person=invited, step=step,
                purpose=PromptPurpose.COMMENT, created_at=answered_at,
            )  # fmt: skip
        return
    values: list[object] = []

    def param(value: object) -> str:
        values.append(value)
        return f"${len(values)}"

    def assignments(model: type[Model], row: Model, fields: dict[str, object]) -> str:
        meta = model._meta
        return ", ".join(
            f'"{meta.fields_db_projection[name]}" = {param(meta.fields_map[name].to_db_value(value, row))}'
            for name, value in fields.items()
        )

    # Column names come from the models' metadata and every value is a parameter.
    matter_set = assignments(Matter, matter, {"version": matter.version + 1, **changes})
    matter_where = f'"id" = {param(matter.id)} AND "version" = {param(matter.version)}'
    step_set = assignments(DecisionStep, step, {name: getattr(step, name) for name in step_fields})
    step_where = f'"id" = {param(step.id)}'
    prompt_set = f'"answered_at" = {param(answered_at)}'
    invited_id = param(invited.id if invited else None)
    prompt_where = f'("step_id" = {param(step.id)} OR "person_id" = {invited_id})'
    invite = (
        ' INSERT INTO "text_prompt" ("organisation_id", "person_id", "step_id", "purpose", "created_at")'  # noqa: S608  # nosec B608: names from model metadata, values are parameters
        f" SELECT {param(matter.organisation_id)}, {invited_id}, {param(step.id)},"
        f" {param(PromptPurpose.COMMENT.value)}, {param(answered_at)}"
        f" FROM m WHERE {invited_id}::int IS NOT NULL"
    )
    sql = (
        f'WITH m AS (UPDATE "matter" SET {matter_set} WHERE {matter_where} RETURNING "id"),'  # noqa: S608  # nosec B608: names from model metadata, values are parameters
        f' s AS (UPDATE "decision_step" SET {step_set} WHERE {step_where} AND EXISTS (SELECT 1 FROM m)),'
        f' p AS (UPDATE "text_prompt" SET {prompt_set} WHERE "answered_at" IS NULL AND {prompt_where}'
        " AND EXISTS (SELECT 1 FROM m)),"
        f" i AS ({invite})"
        ' SELECT COUNT(*) AS "n" FROM m'
    )
    row = await first_row(Matter, sql, values)
    if row is None or int(row["n"]) != 1:
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
