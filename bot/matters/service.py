"""Persisting workflow transitions: one transaction per event, with a conditional update on the
matter's version, step rows, audit row and outbox rows. Callers open the transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.audit import append_audit
from bot.calendar.workdays import load_calendar
from bot.errors import ConcurrentChange, UserError
from bot.matters.chain import active_stand_in, chain_for, standing_in_for
from bot.matters.numbers import format_number, next_seq
from bot.matters.step_cards import REFUSAL_CATEGORIES, REFUSAL_KEY, issue_step_card, refresh_step_cards
from bot.matters.workflow import (
    LEVEL_TITLES,
    Action,
    Command,
    MatterState,
    MatterView,
    Opening,
    Outcome,
    StepStatus,
    StepView,
    Verdict,
    apply,
    first_opening,
    lead_step,
)
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.catalog import CatalogItem
from models.matter import CardInstance, DecisionStep, Matter, ReplyRecord, TextPrompt
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


async def matter_view(matter: Matter) -> MatterView:
    department = await Department.get(id=matter.department_id)
    co = await Department.filter(id__in=matter.co_department_ids or [])
    chain = await chain_for(department, co)
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("id")
    return MatterView(
        state=MatterState(matter.state),
        level=matter.level,
        submitter_id=matter.submitter_id,
        chain=chain,
        steps=tuple(_step_view(s) for s in steps),
    )


def _step_view(step: DecisionStep) -> StepView:
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


async def _open_steps(batch: OutboxBatch, matter: Matter, opening: Opening) -> list[DecisionStep]:
    """One step per approver (their stand-in if one is active today), each with a fresh card."""
    steps = []
    today = local_today(batch)
    for index, approver_id in enumerate(opening.approver_ids):
        stand_in = await active_stand_in(approver_id, today)
        step = await DecisionStep.create(
            organisation_id=matter.organisation_id,
            matter=matter,
            level=opening.level,
            approver_id=stand_in.id if stand_in else approver_id,
            on_behalf_of_id=approver_id if stand_in else None,
            lead=index == 0,
            status=StepStatus.PENDING.value,
            opened_at=batch.now,
        )
        await issue_step_card(batch, step)
        steps.append(step)
    return steps


async def _step_names(steps: list[DecisionStep]) -> str:
    """Who the steps went to, a stand-in with the leader: 「赵志强（代 李明华）」."""
    ids = [s.approver_id for s in steps] + [s.on_behalf_of_id for s in steps if s.on_behalf_of_id]
    people = {p.id: p.name for p in await Person.filter(id__in=ids)}
    return "、".join(
        people.get(s.approver_id, "?")
        + (f"（代 {people.get(s.on_behalf_of_id, '?')}）" if s.on_behalf_of_id else "")
        for s in steps
    )


async def _audit(
    batch: OutboxBatch, actor: Person | None, action: str, matter: Matter, **data: object
) -> None:
    await append_audit(
        matter.organisation_id,
        at=batch.now,
        actor=actor.handle if actor else "system",
        action=action,
        subject=matter.number,
        data={"state": matter.state, "level": matter.level, **data},
    )


async def submit_matter(batch: OutboxBatch, submitter: Person, form: MatterForm) -> ServiceResult:
    """Create the matter and open its first level."""
    if submitter.department_id is None:
        raise UserError("您没有归属股室，无法提交说“不”事项。请联系管理员在组织架构中设置您的股室。")
    department = await Department.get(id=submitter.department_id)
    chain = await chain_for(department, form.co_departments)
    opening = first_opening(chain, submitter.id)
    calendar = await load_calendar(batch.settings, batch.organisation.id)
    year = batch.now.astimezone(batch.settings.tz).year
    seq = await next_seq(batch.organisation.id, year)
    matter = await Matter.create(
        organisation=batch.organisation,
        number=format_number(year, seq),
        year=year,
        seq=seq,
        unit_id=department.unit_id,
        department=department,
        submitter=submitter,
        applicant=form.applicant,
        applicant_phone=form.applicant_phone,
        subject=form.subject,
        request=form.request,
        reason=form.reason,
        policy_basis=form.policy_basis,
        catalog_item=form.catalog_item,
        co_department_ids=[d.id for d in form.co_departments],
        state=MatterState.PENDING.value,
        level=opening.level,
        submitted_at=batch.now,
        due_at=calendar.deadline_for(batch.now, batch.settings.reply_working_days),
    )
    steps = await _open_steps(batch, matter, opening)
    await _audit(batch, submitter, "submit", matter, approvers=list(opening.approver_ids))
    names = await _step_names(steps)
    message = render_text(
        "submitted.md.j2",
        matter=matter,
        level_title=LEVEL_TITLES[opening.level],
        names=names,
        due=format_local(matter.due_at, batch.settings.tz),
        co_departments=[d.name for d in form.co_departments],
    )
    return ServiceResult(message, matter)


async def _save_matter(matter: Matter, **changes: object) -> None:
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
    if matter.state == MatterState.WITHDRAWN.value:
        submitter = await Person.get(id=matter.submitter_id)
        return (
            f"{matter.number} 已由 {submitter.name} 于 {format_local(matter.withdrawn_at, tz)} 撤回，无需处理"
        )
    decided = step
    if step.status != StepStatus.DECIDED.value or step.decided_by_id is None:
        # Superseded: show who decided the matter (or the level) instead.
        other = (
            await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED.value)
            .order_by("-decided_at", "-id")
            .first()
        )
        decided = other or step
    who = await Person.get_or_none(id=decided.decided_by_id) if decided.decided_by_id else None
    name = who.name if who else "他人"
    return f"{matter.number} 已由 {name} 于 {format_local(decided.decided_at, tz)} 处理"


async def decide_by_card(
    batch: OutboxBatch, actor: Person, card_ref: str, key: str, selected: dict[str, str]
) -> ServiceResult:
    """A tap on a card button by ``actor`` (whose identity, not the key, decides)."""
    instance = await CardInstance.get_or_none(ref=card_ref, organisation_id=batch.organisation.id)
    if instance is None:
        raise UserError("找不到这张审批卡，它可能已失效。发送“待办”可重新获取待审批的卡片。")
    try:
        action = Action(key)
    except ValueError:
        raise UserError("无法识别的按钮，请发送“待办”重新获取审批卡片。") from None
    if action not in (Action.CAN_DO, Action.ESCALATE, Action.CONFIRM_NO):
        raise UserError("无法识别的按钮，请发送“待办”重新获取审批卡片。")
    step = await DecisionStep.get(id=instance.step_id)
    category = selected.get(REFUSAL_KEY, "") if selected else ""
    if category and category not in REFUSAL_CATEGORIES:
        raise UserError("不能办的原因选项无效，请在卡片上重新选择。")
    return await decide_step(batch, actor, step, action, refusal_category=category)


async def decide_step(
    batch: OutboxBatch,
    actor: Person,
    step: DecisionStep,
    action: Action,
    *,
    refusal_category: str = "",
    text: str = "",
    way_forward: str = "",
) -> ServiceResult:
    matter = await Matter.get(id=step.matter_id)
    view = await matter_view(matter)
    command = Command(
        action=action,
        actor_id=actor.id,
        step_id=step.id,
        standing_in_for=await standing_in_for(actor.id, local_today(batch)),
        text=text,
        way_forward=way_forward,
    )
    outcome = apply(view, command)
    tz = batch.settings.tz
    if outcome.verdict is Verdict.ALREADY_HANDLED:
        raise UserError(await handled_message(step, matter, tz))
    if outcome.verdict is Verdict.NOT_ALLOWED:
        approver = await Person.get(id=step.approver_id)
        raise UserError(f"{matter.number} 的这一步由 {approver.name} 审批，您无权处理。")
    if outcome.verdict is Verdict.INVALID:
        raise UserError(f"{matter.number}：{outcome.notes[0] if outcome.notes else '此操作无效'}")
    if outcome.verdict is Verdict.NEEDS_TEXT:
        return await _await_refusal_text(batch, actor, matter, step, outcome, refusal_category or "law")
    return await _commit(
        batch, actor, matter, view, step, outcome, action, text=text, way_forward=way_forward
    )


async def _await_refusal_text(
    batch: OutboxBatch, actor: Person, matter: Matter, step: DecisionStep, outcome: Outcome, category: str
) -> ServiceResult:
    if step.status != StepStatus.AWAITING_TEXT.value:
        await _save_matter(matter)
        step.status = StepStatus.AWAITING_TEXT.value
        step.refusal_category = category
        step.decided_by_id = actor.id
        await step.save(update_fields=["status", "refusal_category", "decided_by_id"])
        await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
        await TextPrompt.create(
            organisation_id=matter.organisation_id,
            person=actor,
            step=step,
            purpose="refusal",
            created_at=batch.now,
        )
        await refresh_step_cards(
            batch, step, "已选择确认不能办，待填写理由和说“行”建议", version=matter.version
        )
        await _audit(batch, actor, "confirm_no_pending_text", matter, category=category)
    message = render_text(
        "ask_refusal_text.md.j2", matter=matter, category=REFUSAL_CATEGORIES.get(category, "")
    )
    return ServiceResult(message, matter)


async def _commit(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    view: MatterView,
    step: DecisionStep,
    outcome: Outcome,
    action: Action,
    *,
    text: str,
    way_forward: str,
) -> ServiceResult:
    tz = batch.settings.tz
    decision = Action.CONFIRM_NO if action is Action.GIVE_REFUSAL_TEXT else action
    step.status = StepStatus.DECIDED.value
    step.decision = decision.value
    step.decided_by_id = actor.id
    step.decided_at = batch.now
    if decision is Action.CONFIRM_NO:
        step.comment = text
    await step.save(update_fields=["status", "decision", "decided_by_id", "decided_at", "comment"])
    await TextPrompt.filter(step_id=step.id, answered_at__isnull=True).update(answered_at=batch.now)
    submitter = await Person.get(id=matter.submitter_id)
    changes: dict[str, object] = {"state": outcome.state.value, "level": outcome.level}
    if outcome.decided:
        changes.update(
            decided_at=batch.now, decided_level=step.level, decided_by_id=actor.id, outcome=decision.value
        )
        if decision is Action.CONFIRM_NO:
            changes.update(
                refusal_category=REFUSAL_CATEGORIES.get(step.refusal_category or "law", "其他"),
                decision_text=text,
                way_forward=way_forward,
            )
    await _save_matter(matter, **changes)
    verb = {Action.CAN_DO: "能办", Action.ESCALATE: "提级", Action.CONFIRM_NO: "确认不能办"}[decision]
    level_title = LEVEL_TITLES[step.level]
    if outcome.waiting_for_others:
        await refresh_step_cards(
            batch, step, f"您已提交意见：{verb}，等待其他分管领导会商", version=matter.version
        )
        await _audit(batch, actor, decision.value, matter, step=step.id, consultation=True)
        await _invite_comment(batch, actor, matter, step)
        return ServiceResult(
            f"{matter.number}：已记录您的意见（{verb}），等待其他分管领导会商。"
            "如需补充意见，请直接回复文字（或发送：意见 编号 内容）。",
            matter,
        )
    level_steps = await DecisionStep.filter(matter_id=matter.id, level=step.level)
    if outcome.opening is not None:
        new_steps = await _open_steps(batch, matter, outcome.opening)
        names = await _step_names(new_steps)
        status = f"已提级至 {LEVEL_TITLES[outcome.opening.level]} {names}"
        for s in level_steps:
            await refresh_step_cards(batch, s, status, version=matter.version)
        await batch.text(
            submitter,
            render_text("escalated.md.j2", matter=matter, actor=actor, level_title=level_title,
                        next_title=LEVEL_TITLES[outcome.opening.level], names=names),
            dedupe_key=f"notice:escalated:{matter.id}:{outcome.opening.level}",
        )  # fmt: skip
        await _audit(batch, actor, "escalate", matter, step=step.id, to=list(outcome.opening.approver_ids))
        return ServiceResult(f"{matter.number}：{status}。", matter)
    # Decided: resolved (能办) or refused (确认不能办).
    lead = lead_step([_step_view(s) for s in level_steps], step.level)
    if decision is Action.CAN_DO:
        status = f"已确认能办（{level_title} {actor.name}）"
        template, kind = "resolved.md.j2", "resolved"
        if lead is not None and lead.id != step.id:
            lead_row = next(s for s in level_steps if s.id == lead.id)
            changes_text = lead_row.comment
            if changes_text:
                await _save_matter(matter, decision_text=changes_text)
        await _invite_comment(batch, actor, matter, step)
    else:
        status = f"已确认不能办（{level_title} {actor.name}）"
        template, kind = "refused.md.j2", "refused"
    for s in level_steps:
        await refresh_step_cards(batch, s, status, version=matter.version)
    await batch.text(
        submitter,
        render_text(template, matter=matter, actor=actor, level_title=level_title,
                    due=format_local(matter.due_at, tz)),
        dedupe_key=f"notice:{kind}:{matter.id}",
    )  # fmt: skip
    await _audit(batch, actor, decision.value, matter, step=step.id, text=text, way_forward=way_forward)
    reply = f"{matter.number}：{status}。"
    if decision is Action.CAN_DO:
        reply += "如需补充意见，请直接回复文字（或发送：意见 编号 内容）。"
    return ServiceResult(reply, matter)


async def _invite_comment(batch: OutboxBatch, actor: Person, matter: Matter, step: DecisionStep) -> None:
    """The actor's next non-command message becomes the comment on their decision."""
    await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
    await TextPrompt.create(
        organisation_id=matter.organisation_id,
        person=actor,
        step=step,
        purpose="comment",
        created_at=batch.now,
    )


async def give_text(batch: OutboxBatch, actor: Person, matter: Matter, text: str) -> ServiceResult:
    """Words for a decision: the refusal's reason and 说“行”建议, or a comment on one's decision."""
    from handlers.forms import parse_refusal_text  # the text format is the chat layer's

    waiting = await DecisionStep.filter(
        matter_id=matter.id, status=StepStatus.AWAITING_TEXT.value, decided_by_id=actor.id
    ).first()
    if waiting is not None:
        reason, way_forward = parse_refusal_text(text)
        return await decide_step(
            batch, actor, waiting, Action.GIVE_REFUSAL_TEXT, text=reason, way_forward=way_forward
        )
    mine = (
        await DecisionStep.filter(
            matter_id=matter.id, status=StepStatus.DECIDED.value, decided_by_id=actor.id
        )
        .order_by("-decided_at")
        .first()
    )
    if mine is None:
        raise UserError(f"您没有审批过 {matter.number}，无法填写意见。")
    if mine.decision == Action.CONFIRM_NO.value:
        reason, way_forward = parse_refusal_text(text)
        mine.comment = reason
        await mine.save(update_fields=["comment"])
        await _save_matter(matter, decision_text=reason, way_forward=way_forward)
    else:
        mine.comment = text.strip()
        await mine.save(update_fields=["comment"])
        if matter.decided_level == mine.level and mine.lead:
            await _save_matter(matter, decision_text=mine.comment)
        else:
            await _save_matter(matter)
    await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
    submitter = await Person.get(id=matter.submitter_id)
    if submitter.id != actor.id:
        await batch.text(
            submitter,
            f"{matter.number} {LEVEL_TITLES[mine.level]} {actor.name} 的意见：{mine.comment}",
            dedupe_key=f"notice:comment:{mine.id}:{matter.version}",
        )
    await _audit(batch, actor, "comment", matter, step=mine.id, text=text)
    return ServiceResult(f"{matter.number}：已记录您的意见。", matter)


async def withdraw(batch: OutboxBatch, actor: Person, matter: Matter) -> ServiceResult:
    view = await matter_view(matter)
    outcome = apply(view, Command(Action.WITHDRAW, actor.id))
    if outcome.verdict is not Verdict.APPLIED:
        raise UserError(f"{matter.number}：{outcome.notes[0]}。")
    await _save_matter(matter, state=outcome.state.value, withdrawn_at=batch.now)
    for change in outcome.step_changes:
        step = await DecisionStep.get(id=change.step_id)
        step.status = change.status.value
        await step.save(update_fields=["status"])
        await refresh_step_cards(batch, step, f"已由 {actor.name} 撤回，无需处理", version=matter.version)
    await TextPrompt.filter(step__matter_id=matter.id, answered_at__isnull=True).update(answered_at=batch.now)
    await _audit(batch, actor, "withdraw", matter)
    return ServiceResult(f"{matter.number} 已撤回。", matter)


async def record_reply(
    batch: OutboxBatch, actor: Person, matter: Matter, method: str, content: str, callee_phone: str
) -> ServiceResult:
    view = await matter_view(matter)
    outcome = apply(view, Command(Action.RECORD_REPLY, actor.id))
    if outcome.verdict is not Verdict.APPLIED:
        raise UserError(f"{matter.number}：{outcome.notes[0]}。")
    await ReplyRecord.create(
        organisation_id=matter.organisation_id,
        matter=matter,
        method=method,
        callee_phone=callee_phone,
        content=content,
        recorded_by=actor,
        recorded_at=batch.now,
    )
    await _save_matter(matter, state=outcome.state.value, replied_at=batch.now, closed_at=batch.now)
    await _audit(batch, actor, "record_reply", matter, method=method, content=content)
    late = batch.now > matter.due_at
    method_text = "电话" if method == "phone" else "书面"
    message = f"{matter.number} 已登记{method_text}回复，事项办结。"
    if late:
        message += f"（已超过回复期限 {format_local(matter.due_at, batch.settings.tz)}）"
    return ServiceResult(message, matter)
