"""The section's taps on its complaint card: 签收 at once; 办结 and 申请延期 ask for words (the
feedback, the reason), and the tapper's next plain message is them (like a refusal's reason)."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.complaints.appeals import appeal_from_card
from bot.complaints.cards import ComplaintCardAction, complaint_url, refresh_complaint_cards
from bot.complaints.events import record
from bot.complaints.workflow import ComplaintAction, TransitionError, next_state
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local
from models.cards import CardInstance
from models.complaints import Complaint
from models.enums import GroupKind
from models.org import Department, GroupChannel, Person

PROMPT_VALID_FOR = dt.timedelta(hours=24)
MAX_WORDS = 5000
ASKED = {
    ComplaintCardAction.FINISH: "请直接回复办结情况（办理结果、如何答复投诉人），作为办结反馈。",
    ComplaintCardAction.EXTEND: "请直接回复申请延期的理由，由活动办公室审核。",
    ComplaintCardAction.APPEAL: "请直接回复申诉的理由和证据（如沟通记录、办理依据），由活动办公室裁定。",
}
DONE_WORDS = {
    ComplaintCardAction.FINISH: (ComplaintAction.FINISH, "办结"),
    ComplaintCardAction.EXTEND: (ComplaintAction.REQUEST_EXTENSION, "申请延期"),
    ComplaintCardAction.APPEAL: (ComplaintAction.APPEAL, "申诉"),
}


async def tap_complaint_card(
    batch: OutboxBatch, person: Person, card: CardInstance, action: ComplaintCardAction
) -> str:
    """Apply one tap of ``person`` (the card's recipient) and say what happened, in Chinese."""
    complaint = await Complaint.get_or_none(id=card.subject_id, organisation_id=person.organisation_id)
    if complaint is None or card.recipient_id != person.id:
        return "这张投诉卡片不是发给你的，或投诉已不存在。"
    if action is ComplaintCardAction.SIGN:
        complaint.state = next_state(complaint.state, ComplaintAction.SIGN)
        complaint.updated_at = batch.now
        await complaint.save(update_fields=["state", "updated_at"])
        await record(complaint, person.handle, "sign", f"{person.name} 签收", batch.now)
        await refresh_complaint_cards(batch, complaint)
        return f"已签收投诉 {complaint.number}，请在期限内办结。"
    next_state(complaint.state, DONE_WORDS[action][0])  # refused now, before asking for words
    complaint.prompt_person_id, complaint.prompt_action, complaint.prompt_at = (
        person.id,
        action.value,
        batch.now,
    )
    await complaint.save(update_fields=["prompt_person_id", "prompt_action", "prompt_at"])
    return f"投诉 {complaint.number}：{ASKED[action]}"


async def open_complaint_prompt(person: Person, now: dt.datetime) -> Complaint | None:
    """The complaint whose words the bot is waiting for from ``person``, if any."""
    return (
        await Complaint.filter(prompt_person_id=person.id, prompt_at__gte=now - PROMPT_VALID_FOR)
        .order_by("-prompt_at")
        .first()
    )


async def give_complaint_words(batch: OutboxBatch, person: Person, complaint: Complaint, text: str) -> str:
    """The feedback (办结) or the reason (申请延期) the card asked ``person`` for."""
    words = text.strip()[:MAX_WORDS]
    action = ComplaintCardAction(complaint.prompt_action)
    if action is ComplaintCardAction.APPEAL:
        return await appeal_from_card(batch, person, complaint, words)
    workflow_action, title = DONE_WORDS[action]
    async with in_transaction():
        complaint.prompt_person_id, complaint.prompt_action, complaint.prompt_at = None, "", None
        try:
            complaint.state = next_state(complaint.state, workflow_action)
        except TransitionError as problem:
            await complaint.save(update_fields=["prompt_person_id", "prompt_action", "prompt_at"])
            return str(problem)
        if action is ComplaintCardAction.FINISH:
            complaint.feedback, complaint.next_reminder_at = words, None
        else:
            complaint.extension_reason = words
        complaint.updated_at = batch.now
        await complaint.save()
        await record(
            complaint, person.handle, workflow_action.value, f"{person.name} {title}：{words}", batch.now
        )
        await refresh_complaint_cards(batch, complaint)
        if action is ComplaintCardAction.EXTEND:
            await tell_office_of_extension(batch, complaint, person, words)
    return f"投诉 {complaint.number} 已{title}，活动办公室会看到你的说明。"


async def tell_office_of_extension(
    batch: OutboxBatch, complaint: Complaint, person: Person, reason: str
) -> None:
    """申请延期 is the office's to rule on: each office group is told who asks, why, the deadline
    now and where to rule (one message per request: a later request is told again)."""
    department = await Department.get_or_none(id=complaint.department_id or 0)
    due = format_local(complaint.deadline_at, batch.settings.tz) if complaint.deadline_at else "未定"
    text = (
        f"【申请延期】投诉 {complaint.number}（{department.name if department else '承办股室'}）："
        f"{person.name} 申请延期，理由：{reason[:500]}。现办结期限 {due}。"
        f"请在台账审核（同意或不同意延期）：{complaint_url(batch.settings, complaint)}"
    )
    stamp = batch.now.isoformat()
    for group in await GroupChannel.filter(organisation_id=complaint.organisation_id, kind=GroupKind.OFFICE):
        await batch.group(
            group, text, dedupe_key=f"complaint:{complaint.id}:extension:{stamp}:group:{group.id}"
        )
