"""Words for a decision: the refusal's reason and 说“行”建议, or a comment on one's decision."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.decide import decide_step
from bot.matters.forms import parse_refusal_text
from bot.matters.store import ServiceResult, audit_matter, save_matter
from bot.matters.workflow import (
    LEVEL_TITLES,
    Action,
    StepStatus,
)
from bot.outbox.batch import OutboxBatch
from models.matter import DecisionStep, Matter, TextPrompt
from models.org import Person


async def give_text(batch: OutboxBatch, actor: Person, matter: Matter, text: str) -> ServiceResult:
    """Words for a decision: the refusal's reason and 说“行”建议, or a comment on one's decision."""
    waiting = await DecisionStep.filter(
        matter_id=matter.id, status=StepStatus.AWAITING_TEXT, decided_by_id=actor.id
    ).first()
    if waiting is not None:
        reason, way_forward = parse_refusal_text(text)
        return await decide_step(
            batch, actor, waiting, Action.GIVE_REFUSAL_TEXT, text=reason, way_forward=way_forward
        )
    mine = (
        await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED, decided_by_id=actor.id)
        .order_by("-decided_at")
        .first()
    )
    if mine is None:
        raise UserError(f"您没有审批过 {matter.number}，无法填写意见。")
    if mine.decision == Action.CONFIRM_NO:
        reason, way_forward = parse_refusal_text(text)
        mine.comment = reason
        await mine.save(update_fields=["comment"])
        await save_matter(matter, decision_text=reason, way_forward=way_forward)
    else:
        mine.comment = text.strip()
        await mine.save(update_fields=["comment"])
        if matter.decided_level == mine.level and mine.lead:
            await save_matter(matter, decision_text=mine.comment)
        else:
            await save_matter(matter)
    await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
    submitter = await Person.get(id=matter.submitter_id)
    if submitter.id != actor.id:
        await batch.text(
            submitter,
            f"{matter.number} {LEVEL_TITLES[mine.level]} {actor.name} 的意见：{mine.comment}",
            dedupe_key=f"notice:comment:{mine.id}:{matter.version}",
        )
    await audit_matter(batch, actor, "comment", matter, step=mine.id, text=text)
    return ServiceResult(f"{matter.number}：已记录您的意见。", matter)
