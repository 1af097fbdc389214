"""Decision cards for steps: building the neutral card, issuing it, and showing its new status."""

from __future__ import annotations

import datetime as dt

from bot.cards import Card, CardField
from bot.matters.cards import DECISION_CARD
from bot.matters.holders import step_holder
from bot.matters.workflow import LEVEL_ACTIONS, LEVEL_TITLES, OPEN_STEP_STATUSES, StepStatus
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.cards import CardInstance
from models.enums import ACTION_TITLES, CardKind
from models.matter import DecisionStep, Matter
from models.org import Department, Person

CARD_SOURCE = "说“不”事项提级"


async def build_card(
    step: DecisionStep,
    ref: str,
    *,
    tz: dt.tzinfo,
    status: str | None = None,
    closed: bool | None = None,
) -> Card:
    """The card for ``step`` as its approver sees it now (times in ``tz``, ``settings.tz``)."""
    matter = await Matter.get(id=step.matter_id).prefetch_related("submitter", "department")
    approver = await Person.get(id=step.approver_id)
    on_behalf = await Person.get(id=step.on_behalf_of_id) if step.on_behalf_of_id else None
    department: Department = matter.department
    level_text = f"{LEVEL_TITLES[step.level]} {approver.name}"
    if on_behalf is not None:
        level_text += f"（代 {on_behalf.name}）"
    is_open = step.status in OPEN_STEP_STATUSES
    if closed is None:
        closed = not is_open
    if status is None:
        status = card_status(step)
    buttons, selection = DECISION_CARD.controls(() if closed else LEVEL_ACTIONS.get(step.level, ()))
    history = await _history(matter, step)
    body = render_text(
        "card_body.md.j2",
        matter=matter,
        department=department,
        submitter=matter.submitter,
        history=history,
        level=step.level,
    )
    return Card(
        ref=ref,
        source=CARD_SOURCE,
        title=f"{matter.number} 说“不”事项审批",
        fields=(
            CardField("applicant", "服务对象", f"{matter.applicant} {matter.applicant_phone}"),
            CardField("matter", "事项", matter.subject),
            CardField("reason", "拟说不理由", matter.reason),
            CardField("submitter", "提交人", f"{matter.submitter.name}（{department.name}）"),
            CardField("level", "当前层级", level_text),
            CardField("due", "回复期限", format_local(matter.due_at, tz)),
        ),
        body=body,
        buttons=buttons,
        selection=selection,
        status=status,
        closed=closed,
        reference=matter.number,
    )


def card_status(step: DecisionStep) -> str:
    if step.status == StepStatus.PENDING:
        return "待处理"
    if step.status == StepStatus.AWAITING_TEXT:
        return "已选择确认不能办，待填写理由和说“行”建议"
    if step.status == StepStatus.SUPERSEDED:
        return "已结束，无需处理"
    return "已处理"


async def _history(matter: Matter, current: DecisionStep) -> list[str]:
    """One line per decision taken before this step (the leader sees what the levels below said)."""
    lines = []
    steps = (
        await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED)
        .order_by("decided_at", "id")
        .prefetch_related("decided_by")
    )
    for s in steps:
        if s.id == current.id:
            continue
        who = s.decided_by.name if s.decided_by else ""
        verb = ACTION_TITLES[s.decision] if s.decision else ""
        line = f"{LEVEL_TITLES[s.level]} {who}：{verb}"
        if s.comment:
            line += f"（{s.comment}）"
        lines.append(line)
    return lines


async def issue_step_card(
    batch: OutboxBatch, step: DecisionStep, recipient: Person | None = None
) -> CardInstance:
    """A new card (new ref) for the step's holder now, or for ``recipient`` (the leader of a step given
    to their stand-in, or the stand-in of a leader's step, asking 待办), queued in ``batch``'s transaction."""
    approver = recipient or await step_holder(step, batch.now, tz=batch.settings.tz)
    instance = await batch.new_card(CardKind.DECISION, step.id, approver)
    card = await build_card(step, instance.ref, tz=batch.settings.tz)
    await batch.card(instance, card, dedupe_key=f"card:{instance.ref}")
    return instance


async def latest_card(step: DecisionStep) -> CardInstance | None:
    return await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id).order_by("-id").first()


async def refresh_step_cards(batch: OutboxBatch, step: DecisionStep, status: str, *, version: int) -> None:
    """Show ``status`` on every card of ``step`` (closed unless the step is still open)."""
    for instance in await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id):
        card = await build_card(step, instance.ref, tz=batch.settings.tz, status=status)
        await batch.card_update(instance, card, dedupe_key=f"card_update:{instance.ref}:{version}")
