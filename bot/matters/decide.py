"""A leader's decision on a step (能办 / 提级 / 确认不能办): a tap on a card, or the refusal's words."""

from __future__ import annotations

from bot.calendar.hours import decision_hours
from bot.errors import AlreadyHandled, UserError
from bot.matters import lookups
from bot.matters.prompts import ask_for_words
from bot.matters.step_cards import refresh_step_cards
from bot.matters.steps import open_steps, step_names
from bot.matters.store import (
    ServiceResult,
    audit_matter,
    handled_message,
    local_today,
    matter_view,
    save_decision,
    save_matter,
    step_view,
)
from bot.matters.workflow import (
    LEVEL_TITLES,
    NO_CATEGORY,
    Action,
    Command,
    MatterState,
    MatterView,
    Opening,
    Outcome,
    StepStatus,
    Verdict,
    apply,
    holders,
    lead_step,
)
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.cards import CardInstance
from models.enums import ACTION_TITLES, REFUSAL_CATEGORY_TITLES, PromptPurpose, RefusalCategory
from models.matter import DecisionStep, Matter, steps_with_matter
from models.org import Person

COMMENT_INVITATION = "如需补充研判意见，请直接回复文字（或发送：意见 编号 内容）。"


async def decide_by_card(
    batch: OutboxBatch,
    actor: Person,
    card: CardInstance,
    action: Action,
    refusal_category: RefusalCategory | None = None,
) -> ServiceResult:
    """A tap on a decision card by ``actor`` (whose identity, not the card, decides). ``action`` and
    ``refusal_category`` were parsed from the tap against the decision card kind."""
    # The card's step, its matter and the matter's other steps in one read (each row joins the matter).
    steps = await steps_with_matter(card.subject_id, card.organisation_id)
    step = next((s for s in steps if s.id == card.subject_id), None)
    if step is None:  # the subject is not a foreign key: the step may be gone
        raise UserError("找不到这张审批卡对应的事项，它可能已失效。发送“待办”可重新获取待审批的卡片。")
    return await decide_step(batch, actor, step, action, refusal_category=refusal_category, steps=steps)


async def decide_step(
    batch: OutboxBatch,
    actor: Person,
    step: DecisionStep,
    action: Action,
    *,
    refusal_category: RefusalCategory | None = None,
    text: str = "",
    way_forward: str = "",
    steps: list[DecisionStep] | None = None,
) -> ServiceResult:
    """``steps``: all of the matter's steps, when the caller has just read them (else they are read)."""
    loaded: object = step.matter  # read with the step by a card tap; else read it now
    matter = loaded if isinstance(loaded, Matter) else await Matter.get(id=step.matter_id)
    if steps is None:
        steps = await DecisionStep.filter(matter_id=matter.id).order_by("id")
    # ``step`` itself in the list: what the event changes on it, every card it builds shows.
    steps = [step if s.id == step.id else s for s in steps]
    view = await matter_view(matter, local_today(batch), steps_read=steps)
    command = Command(
        action=action,
        actor_id=actor.id,
        step_id=step.id,
        text=text,
        way_forward=way_forward,
        refusal_category=refusal_category,
    )
    outcome = apply(view, command)
    tz = batch.settings.tz
    if outcome.verdict in (Verdict.APPLIED, Verdict.NEEDS_TEXT):
        # Everyone the decision's cards and notices may name, in one read (bot.matters.lookups).
        chain = [a for level in view.chain.levels.values() for a in level]
        await lookups.people([*chain, *view.stand_ins.values(), matter.submitter_id])
    if outcome.verdict is Verdict.ALREADY_HANDLED:
        raise AlreadyHandled(await handled_message(step, matter, tz))
    if outcome.verdict is Verdict.NOT_ALLOWED:
        raise UserError(await _not_yours(view, matter, step, actor))
    if outcome.verdict is Verdict.INVALID:
        raise UserError(f"{matter.number}：{outcome.notes[0] if outcome.notes else '此操作无效'}")
    if outcome.verdict is Verdict.NEEDS_TEXT:
        return await _await_refusal_text(batch, actor, matter, step, outcome, refusal_category, steps)
    return await _commit(
        batch, actor, matter, step, outcome, action, steps, text=text, way_forward=way_forward
    )


async def _not_yours(view: MatterView, matter: Matter, step: DecisionStep, actor: Person) -> str:
    holder = await Person.get(id=holders(view).get(step.id, step.on_behalf_of_id or step.approver_id))
    message = f"{matter.number} 的这一步由 {holder.name} 审批，您无权处理。"
    if actor.id == matter.submitter_id:
        message += "这是您提交的事项，不能由您本人（包括以代理身份）审批。"
    return message


async def _await_refusal_text(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    outcome: Outcome,
    chosen: RefusalCategory | None,
    steps: list[DecisionStep],
) -> ServiceResult:
    # The workflow refuses a first 确认不能办 without a category; a repeated tap keeps the first one.
    category = step.refusal_category if step.status == StepStatus.AWAITING_TEXT else chosen
    if category is None:
        raise UserError(f"{matter.number}：{NO_CATEGORY}")
    if step.status != StepStatus.AWAITING_TEXT:
        await save_matter(matter)
        step.status = StepStatus.AWAITING_TEXT
        step.refusal_category = category
        step.decided_by_id = actor.id
        await step.save(update_fields=["status", "refusal_category", "decided_by_id"])
        await ask_for_words(batch, actor, matter, step, PromptPurpose.REFUSAL)
        await refresh_step_cards(
            batch, step, "已选择确认不能办，待填写理由和说“行”建议", version=matter.version, steps=steps
        )
        await audit_matter(batch, actor, "confirm_no_pending_text", matter, category=category)
    message = render_text("ask_refusal_text.md.j2", matter=matter, category=REFUSAL_CATEGORY_TITLES[category])
    return ServiceResult(message, matter)


async def _commit(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    outcome: Outcome,
    action: Action,
    steps: list[DecisionStep],
    *,
    text: str,
    way_forward: str,
) -> ServiceResult:
    """Save the decision and carry it out. ``steps``: all of the matter's steps, ``step`` among them."""
    decision = Action.CONFIRM_NO if action is Action.GIVE_REFUSAL_TEXT else action
    # Every outcome but a refusal invites the actor's comment (saved with the decision).
    invites = outcome.waiting_for_others or outcome.opening is not None or decision is Action.CAN_DO
    await _record_decision(
        batch, actor, matter, step, outcome, decision, text=text, way_forward=way_forward, invites=invites
    )
    if outcome.waiting_for_others:
        return await _wait_for_consultation(batch, actor, matter, step, decision, steps)
    if outcome.opening is not None:
        return await _escalate(batch, actor, matter, step, outcome.opening, steps)
    return await _settle(batch, actor, matter, step, decision, steps, text=text, way_forward=way_forward)


async def _record_decision(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    outcome: Outcome,
    decision: Action,
    *,
    text: str,
    way_forward: str,
    invites: bool,
) -> None:
    """The step is decided and the matter moves to the outcome's state and level; the step's open
    prompts are answered. With ``invites``, the actor's next plain message becomes the comment on
    their decision (综合研判: the next level sees it on its card)."""
    step.status = StepStatus.DECIDED
    step.decision = decision
    step.decided_by_id = actor.id
    step.decided_at = batch.now
    # The working hours are stored with the decision, so the quarterly figures average them in SQL.
    calendar = await lookups.calendar(batch.settings, batch.organisation.id, today=local_today(batch))
    step.working_hours = decision_hours(calendar, step.opened_at, batch.now)
    if decision is Action.CONFIRM_NO:
        step.comment, step.way_forward = text, way_forward
    changes: dict[str, object] = {"state": outcome.state, "level": outcome.level}
    if outcome.decided:
        changes.update(
            decided_at=batch.now,
            decided_level=step.level,
            decided_by_id=actor.id,
            outcome=decision,
            decided_hours=decision_hours(calendar, matter.submitted_at, batch.now),
        )
        changes["next_reminder_at"] = batch.now  # the owed reply's 催办 ladder starts (bot.jobs)
        if decision is Action.CONFIRM_NO:
            changes.update(
                refusal_category=step.refusal_category,
                decision_text=text,
                way_forward=way_forward,
            )
    fields = ("status", "decision", "decided_by_id", "decided_at", "working_hours", "comment", "way_forward")
    await save_decision(
        matter, step, fields, answered_at=batch.now, invited=actor if invites else None, changes=changes
    )


async def _wait_for_consultation(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    decision: Action,
    steps: list[DecisionStep],
) -> ServiceResult:
    """会商: this deputy has answered; the level waits for the others."""
    verb = ACTION_TITLES[decision]
    await refresh_step_cards(
        batch, step, f"您已提交意见：{verb}，等待其他分管领导会商", version=matter.version, steps=steps
    )
    await audit_matter(batch, actor, decision.value, matter, step=step.id, consultation=True)
    return ServiceResult(
        f"{matter.number}：已记录您的意见（{verb}），等待其他分管领导会商。{COMMENT_INVITATION}",
        matter,
    )


async def _escalate(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    opening: Opening,
    steps: list[DecisionStep],
) -> ServiceResult:
    """提级: open the next level, close this level's cards and tell the submitter."""
    new_steps = await open_steps(batch, matter, opening, before=steps)
    names = await step_names(new_steps)
    status = f"已提级至 {LEVEL_TITLES[opening.level]} {names}"
    now_steps = [*steps, *new_steps]
    for s in (s for s in steps if s.level == step.level):
        await refresh_step_cards(batch, s, status, version=matter.version, matter=matter, steps=now_steps)
    submitter = await lookups.person(matter.submitter_id)
    await batch.text(
        submitter,
        render_text("escalated.md.j2", matter=matter, actor=actor, level_title=LEVEL_TITLES[step.level],
                    next_title=LEVEL_TITLES[opening.level], names=names),
        dedupe_key=f"notice:escalated:{matter.id}:{opening.level}",
    )  # fmt: skip
    await audit_matter(batch, actor, "escalate", matter, step=step.id, to=list(opening.approver_ids))
    return ServiceResult(f"{matter.number}：{status}。{COMMENT_INVITATION}", matter)


async def _settle(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    decision: Action,
    steps: list[DecisionStep],
    *,
    text: str,
    way_forward: str,
) -> ServiceResult:
    """Decided: resolved (能办) or refused (确认不能办); the submitter must now answer the applicant."""
    level_title = LEVEL_TITLES[step.level]
    level_steps = [s for s in steps if s.level == step.level]
    lead = lead_step([step_view(s) for s in level_steps], step.level)
    if decision is Action.CAN_DO:
        status = f"已确认能办（{level_title} {actor.name}）"
        template, kind = "resolved.md.j2", MatterState.RESOLVED
        if lead is not None and lead.id != step.id:
            # 会商: the lead deputy's comment is the decision's text.
            lead_comment = next(s for s in level_steps if s.id == lead.id).comment
            if lead_comment:
                await save_matter(matter, decision_text=lead_comment)
    else:
        status = f"已确认不能办（{level_title} {actor.name}）"
        template, kind = "refused.md.j2", MatterState.REFUSED
    for s in level_steps:
        await refresh_step_cards(batch, s, status, version=matter.version, matter=matter, steps=steps)
    submitter = await lookups.person(matter.submitter_id)
    await batch.text(
        submitter,
        render_text(template, matter=matter, actor=actor, level_title=level_title,
                    due=format_local(matter.due_at, batch.settings.tz), late=batch.now > matter.due_at),
        dedupe_key=f"notice:{kind}:{matter.id}",
    )  # fmt: skip
    await audit_matter(batch, actor, decision.value, matter, step=step.id, text=text, way_forward=way_forward)
    reply = f"{matter.number}：{status}。"
    if decision is Action.CAN_DO:
        reply += COMMENT_INVITATION
    return ServiceResult(reply, matter)
