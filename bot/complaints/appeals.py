"""申诉: the section contests a 差评 with its evidence (its card's 申诉 button, then its words), and
the office rules on it. Upheld: the rework ends and the case is closed as rated; rejected: the rework
goes on to the same 整改 deadline. The rating itself is never changed: the ledger keeps both."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from bot.complaints.cards import refresh_complaint_cards
from bot.complaints.events import record
from bot.complaints.feedback import FeedbackError, latest_feedback
from bot.complaints.workflow import ComplaintAction, TransitionError, next_state
from bot.outbox.batch import OutboxBatch
from models.complaint_feedback import AppealRuling, ComplaintAppeal
from models.complaints import Complaint
from models.org import Department, Person

MAX_EVIDENCE = 5000
MAX_NOTE = 2000
RULING_TITLES = {AppealRuling.UPHELD: "申诉成立", AppealRuling.REJECTED: "申诉不成立"}


async def file_appeal(
    complaint: Complaint, evidence: str, batch: OutboxBatch, *, actor: str
) -> ComplaintAppeal:
    """The section's 申诉 against the latest 差评 (once per 差评), with its evidence."""
    words = evidence.strip()
    if not words or len(words) > MAX_EVIDENCE:
        raise FeedbackError(f"请写明申诉理由和证据（不超过 {MAX_EVIDENCE} 字）")
    state = next_state(complaint.state, ComplaintAction.APPEAL)
    feedback = await latest_feedback(complaint)
    if feedback is None or await ComplaintAppeal.exists(feedback_id=feedback.id):
        raise FeedbackError("这次差评已经申诉过，不能再次申诉")
    async with in_transaction():
        appeal = await ComplaintAppeal.create(
            organisation_id=complaint.organisation_id, complaint=complaint, feedback=feedback,
            evidence=words, filed_by=actor[:64], filed_at=batch.now,
        )  # fmt: skip
        # The office holds it now: the section is not chased while the ruling is awaited.
        complaint.state, complaint.next_reminder_at, complaint.updated_at = state, None, batch.now
        await complaint.save(update_fields=["state", "next_reminder_at", "updated_at"])
        await record(complaint, actor, "appeal", f"申诉：{words}", batch.now)
        await refresh_complaint_cards(batch, complaint)
    return appeal


async def appeal_from_card(batch: OutboxBatch, person: Person, complaint: Complaint, words: str) -> str:
    """The words the card's 申诉 asked ``person`` for (see ``bot.complaints.taps``)."""
    async with in_transaction():
        complaint.prompt_person_id, complaint.prompt_action, complaint.prompt_at = None, "", None
        await complaint.save(update_fields=["prompt_person_id", "prompt_action", "prompt_at"])
        try:
            await file_appeal(complaint, words, batch, actor=person.handle)
        except (FeedbackError, TransitionError) as problem:
            return str(problem)
    return f"投诉 {complaint.number} 已提交申诉，活动办公室裁定后会告诉你。"


async def pending_appeal(complaint: Complaint) -> ComplaintAppeal | None:
    return (
        await ComplaintAppeal.filter(complaint_id=complaint.id, ruling__isnull=True).order_by("-id").first()
    )


async def rule_appeal(
    complaint: Complaint, ruling: AppealRuling, note: str, batch: OutboxBatch, *, actor: str
) -> ComplaintAppeal:
    """The office's ruling; the 差评 stays on file either way, the ruling is kept beside it."""
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise FeedbackError(f"请填写裁定意见（不超过 {MAX_NOTE} 字）")
    action = ComplaintAction.UPHOLD_APPEAL if ruling is AppealRuling.UPHELD else ComplaintAction.REJECT_APPEAL
    state = next_state(complaint.state, action)
    appeal = await pending_appeal(complaint)
    if appeal is None:
        raise FeedbackError("没有待裁定的申诉")
    feedback = await appeal.feedback
    async with in_transaction():
        appeal.ruling, appeal.ruling_note, appeal.ruled_by, appeal.ruled_at = (
            ruling,
            note,
            actor[:64],
            batch.now,
        )
        await appeal.save()
        complaint.state, complaint.updated_at = state, batch.now
        # Rejected: the section is chased again to the same 整改 deadline.
        complaint.next_reminder_at = feedback.rework_deadline_at if ruling is AppealRuling.REJECTED else None
        await complaint.save(update_fields=["state", "next_reminder_at", "updated_at"])
        words = f"{RULING_TITLES[ruling]}：{note}"
        await record(complaint, actor, "appeal_ruling", words, batch.now)
        await refresh_complaint_cards(batch, complaint)
        department = await Department.get_or_none(id=complaint.department_id or 0)
        head = await Person.get_or_none(id=department.head_id) if department and department.head_id else None
        if head is not None:
            tail = "发回重办继续，请按期整改。" if ruling is AppealRuling.REJECTED else "发回重办终止。"
            await batch.text(head, f"投诉 {complaint.number} 的申诉已裁定，{words}。{tail}",
                             dedupe_key=f"complaint:{complaint.id}:appeal:{appeal.id}:ruling")  # fmt: skip
    return appeal
