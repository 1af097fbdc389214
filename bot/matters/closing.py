"""Ending a matter: the submitter withdraws it, or records the reply to the applicant."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.step_cards import refresh_step_cards
from bot.matters.store import ServiceResult, audit_matter, local_today, matter_view, save_matter
from bot.matters.workflow import (
    Action,
    Command,
    Verdict,
    apply,
    holders,
)
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local
from models.enums import REPLY_METHOD_TITLES, WITHDRAW_REASON_TITLES, ReplyMethod, WithdrawReason
from models.matter import DecisionStep, Matter, ReplyRecord, TextPrompt
from models.org import Department, Person


async def withdraw(
    batch: OutboxBatch, actor: Person, matter: Matter, reason: WithdrawReason, note: str = ""
) -> ServiceResult:
    """The submitter withdraws a pending matter, saying why. The holders of its open steps and the
    section head are told; its cards close; nothing is owed on it afterwards."""
    if reason is WithdrawReason.OTHER and not note.strip():
        raise UserError(f"{matter.number}：请写明撤回原因。")
    view = await matter_view(matter, local_today(batch))
    outcome = apply(view, Command(Action.WITHDRAW, actor.id))
    if outcome.verdict is not Verdict.APPLIED:
        raise UserError(f"{matter.number}：{outcome.notes[0]}。")
    told = set(holders(view).values())
    await save_matter(
        matter,
        state=outcome.state,
        withdrawn_at=batch.now,
        withdraw_reason=reason,
        withdraw_note=note.strip(),
    )
    for change in outcome.step_changes:
        step = await DecisionStep.get(id=change.step_id)
        step.status = change.status
        await step.save(update_fields=["status"])
        await refresh_step_cards(batch, step, f"已由 {actor.name} 撤回，无需处理", version=matter.version)
    await TextPrompt.filter(step__matter_id=matter.id, answered_at__isnull=True).update(answered_at=batch.now)
    department = await Department.get(id=matter.department_id)
    if department.head_id is not None:
        told.add(department.head_id)
    why = withdraw_words(matter)
    for person in await Person.filter(id__in=sorted(told - {actor.id})):
        await batch.text(
            person,
            f"{matter.number}（{matter.subject}）已由 {actor.name} 撤回，原因：{why}。无需再处理。",
            dedupe_key=f"notice:withdrawn:{matter.id}:{person.id}",
        )
    await audit_matter(batch, actor, "withdraw", matter, reason=reason, note=matter.withdraw_note)
    return ServiceResult(f"{matter.number} 已撤回（原因：{why}），已告知审批人和股室负责人。", matter)


def withdraw_words(matter: Matter) -> str:
    """The reason as people read it: 申请人撤回申请 / 误报 / the submitter's own words."""
    stored: str | None = matter.withdraw_reason  # null for matters withdrawn before reasons
    if stored is None:
        return "未说明"
    reason = WithdrawReason(stored)
    if reason is WithdrawReason.OTHER:
        return matter.withdraw_note or WITHDRAW_REASON_TITLES[reason]
    title = WITHDRAW_REASON_TITLES[reason]
    return f"{title}（{matter.withdraw_note}）" if matter.withdraw_note else title


async def record_reply(
    batch: OutboxBatch, actor: Person, matter: Matter, method: ReplyMethod, content: str, callee_phone: str
) -> ServiceResult:
    view = await matter_view(matter, local_today(batch))
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
    await save_matter(matter, state=outcome.state, replied_at=batch.now, closed_at=batch.now)
    await audit_matter(batch, actor, "record_reply", matter, method=method, content=content)
    late = batch.now > matter.due_at
    method_text = REPLY_METHOD_TITLES[method]
    message = f"{matter.number} 已登记{method_text}回复，事项办结。"
    if late:
        message += f"（已超过回复期限 {format_local(matter.due_at, batch.settings.tz)}）"
    return ServiceResult(message, matter)
