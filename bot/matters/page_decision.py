"""A decision taken on the matter's page: 能办 / 提级 / 确认不能办 with the 研判意见 in the same step.

The same service as a card tap (``decide_step``), so the workflow, the audit and the chat cards
follow exactly as after a tap; the comment is stored as the step's 研判意见 before the decision,
so the next level's card already carries it. A refusal carries its category, reason and 说“行”建议
at once (the card's two steps — the tap, then the words — in one transaction).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import AlreadyHandled, UserError
from bot.matters.decide import COMMENT_INVITATION, decide_step
from bot.matters.store import ServiceResult, audit_matter, handled_message, save_matter
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, Action, MatterState, StepStatus
from bot.outbox.batch import OutboxBatch
from models.enums import RefusalCategory
from models.matter import DecisionStep, Matter, TextPrompt
from models.org import Person

PAGE_ACTIONS = (Action.CAN_DO, Action.ESCALATE, Action.CONFIRM_NO)
MAX_WORDS = 2000  # characters of a comment, reason or 说“行”建议


@dataclass(frozen=True)
class PageDecision:
    """What the page's form asked for (validated: a refusal has its category and both texts)."""

    step_id: int
    action: Action
    comment: str = ""  # 研判意见; for 确认不能办, the reason
    refusal_category: RefusalCategory | None = None
    way_forward: str = ""


async def decide_from_page(
    batch: OutboxBatch, actor: Person, matter: Matter, decision: PageDecision
) -> ServiceResult:
    """Apply ``decision`` to the step of ``matter`` it names, as ``actor``."""
    step = await DecisionStep.get_or_none(id=decision.step_id, matter_id=matter.id)
    if step is None:
        raise UserError(f"{matter.number}：找不到这一审批环节，请刷新页面。")
    matter = await Matter.get(id=matter.id)  # as it is now (a retry re-reads the winner's change)
    if step.status not in OPEN_STEP_STATUSES or matter.state != MatterState.PENDING:
        raise AlreadyHandled(await handled_message(step, matter, batch.settings.tz))
    comment = decision.comment.strip()
    if decision.action is Action.CONFIRM_NO:
        result = await _refuse(batch, actor, step, decision, comment)
    else:
        if comment:
            step.comment = comment
            await step.save(update_fields=["comment"])
        result = await decide_step(batch, actor, step, decision.action)
        if comment:
            await _commented(batch, actor, step, comment)
    return ServiceResult(result.message.replace(COMMENT_INVITATION, "").strip(), result.matter)


async def _refuse(
    batch: OutboxBatch, actor: Person, step: DecisionStep, decision: PageDecision, reason: str
) -> ServiceResult:
    way_forward = decision.way_forward.strip()
    if not reason or not way_forward:
        raise UserError("确认不能办须写明不能办理由和说“行”建议。")
    if step.status == StepStatus.AWAITING_TEXT:
        if decision.refusal_category is not None and decision.refusal_category != step.refusal_category:
            step.refusal_category = decision.refusal_category  # chosen again on the page: the page's
            await step.save(update_fields=["refusal_category"])
    else:
        if decision.refusal_category is None:
            raise UserError("确认不能办须选择原因类别。")
        await decide_step(batch, actor, step, Action.CONFIRM_NO, refusal_category=decision.refusal_category)
        step = await DecisionStep.get(id=step.id)
    return await decide_step(
        batch, actor, step, Action.GIVE_REFUSAL_TEXT, text=reason, way_forward=way_forward
    )


async def _commented(batch: OutboxBatch, actor: Person, step: DecisionStep, comment: str) -> None:
    """The comment came with the decision: nothing more is asked in chat, the decision's text is
    the lead's comment, and the submitter hears it as after ``意见``."""
    await TextPrompt.filter(step_id=step.id, answered_at__isnull=True).update(answered_at=batch.now)
    matter = await Matter.get(id=step.matter_id)
    if matter.decided_level == step.level and step.lead:
        await save_matter(matter, decision_text=comment)
    submitter = await Person.get(id=matter.submitter_id)
    if submitter.id != actor.id:
        await batch.text(
            submitter,
            f"{matter.number} {LEVEL_TITLES[step.level]} {actor.name} 的意见：{comment}",
            dedupe_key=f"notice:comment:{step.id}:{matter.version}",
        )
    await audit_matter(batch, actor, "comment", matter, step=step.id, text=comment)
