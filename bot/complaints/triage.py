"""Triage of a registered complaint: out of scope → 答疑 (the answer and how the complainant was
told); in scope → assigned to a section with a deadline in working days. A complaint that someone
was told “no” with no matter on file is a 督办: the section head and the office are told at once."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.calendar.workdays import WorkCalendar
from bot.complaints.cards import complaint_url, issue_complaint_card, refresh_complaint_cards
from bot.complaints.events import record
from bot.complaints.workflow import ComplaintAction, next_state
from bot.outbox.batch import OutboxBatch
from models.complaints import Complaint
from models.enums import GroupKind
from models.org import Department, GroupChannel, Person

MAX_ANSWER = 5000
MAX_DAYS = 60
MAX_METHOD = 64


class TriageError(ValueError):
    """A triage that cannot be made (the message says what to fix, in Chinese)."""


async def answer_complaint(
    complaint: Complaint, answer: str, method: str, *, actor: str, now: dt.datetime
) -> None:
    """答疑: out of scope; the answer given and how (phone, letter, in person) are recorded."""
    answer, method = answer.strip(), method.strip()
    if not answer or len(answer) > MAX_ANSWER:
        raise TriageError(f"请填写答疑内容（不超过 {MAX_ANSWER} 字）")
    if not method or len(method) > MAX_METHOD:
        raise TriageError("请填写告知方式（如：电话告知、书面答复）")
    state = next_state(complaint.state, ComplaintAction.ANSWER)
    async with in_transaction():
        complaint.state, complaint.answer, complaint.answer_method = state, answer, method
        complaint.updated_at = now
        await complaint.save(update_fields=["state", "answer", "answer_method", "updated_at"])
        await record(complaint, actor, "answer", f"答疑（{method}）：{answer}", now)


async def assign_complaint(
    complaint: Complaint,
    department_id: int,
    working_days: int,
    calendar: WorkCalendar,
    batch: OutboxBatch,
    *,
    actor: str,
) -> Department:
    """交办 to a section of the organisation, due ``working_days`` working days from now."""
    if not 1 <= working_days <= MAX_DAYS:
        raise TriageError(f"办理时限应为 1–{MAX_DAYS} 个工作日")
    department = await Department.get_or_none(id=department_id, organisation_id=complaint.organisation_id)
    if department is None:
        raise TriageError("请选择承办股室")
    state = next_state(complaint.state, ComplaintAction.ASSIGN)
    now = batch.now
    deadline = calendar.deadline_for(now, working_days)
    async with in_transaction():
        complaint.state, complaint.department_id, complaint.deadline_at = state, department.id, deadline
        complaint.next_reminder_at, complaint.reminder_rung, complaint.updated_at = deadline, 0, now
        await complaint.save(
            update_fields=[
                "state",
                "department_id",
                "deadline_at",
                "next_reminder_at",
                "reminder_rung",
                "updated_at",
            ]
        )
        due = deadline.astimezone(calendar.tz).strftime("%Y-%m-%d")
        await record(complaint, actor, "assign", f"交办 {department.name}，{due} 前办结", now)
        head = await Person.get_or_none(id=department.head_id) if department.head_id is not None else None
        if head is not None:
            await issue_complaint_card(batch, complaint, head)
        if complaint.no_matter_on_file:
            await open_supervision(complaint, department, head, batch, actor=actor)
    return department


async def open_supervision(
    complaint: Complaint, department: Department, head: Person | None, batch: OutboxBatch, *, actor: str
) -> None:
    """督办: told “no” with no matter on file breaches 不说不能办 — the section head and the office
    groups are told now, and the complaint counts against the section (``complaints_against``)."""
    text = (
        f"【督办】投诉 {complaint.number}：群众反映在{department.name}被告知“不能办”，但无说“不”事项登记，"
        f"违反“不说不能办”。请立即核查办理。详情：{complaint_url(batch.settings, complaint)}"
    )
    if head is not None:
        await batch.text(head, text, dedupe_key=f"complaint:{complaint.id}:supervise:head")
    for group in await GroupChannel.filter(organisation_id=complaint.organisation_id, kind=GroupKind.OFFICE):
        await batch.group(group, text, dedupe_key=f"complaint:{complaint.id}:supervise:group:{group.id}")
    await record(complaint, actor, "supervise", f"督办 {department.name}（无事项登记即说“不”）", batch.now)


async def rule_extension(
    complaint: Complaint,
    grant: bool,
    extra_days: int,
    calendar: WorkCalendar,
    batch: OutboxBatch,
    *,
    actor: str,
) -> None:
    """The office rules on 申请延期: granted → the deadline moves ``extra_days`` working days on;
    refused → the deadline stays. Either way the section holds it again (签收) and its card shows it."""
    if grant and not 1 <= extra_days <= MAX_DAYS:
        raise TriageError(f"延期天数应为 1–{MAX_DAYS} 个工作日")
    action = ComplaintAction.GRANT_EXTENSION if grant else ComplaintAction.REFUSE_EXTENSION
    state = next_state(complaint.state, action)
    async with in_transaction():
        complaint.state, complaint.updated_at = state, batch.now
        if grant and complaint.deadline_at is not None:
            complaint.deadline_at = calendar.deadline_for(max(complaint.deadline_at, batch.now), extra_days)
            complaint.next_reminder_at, complaint.reminder_rung = complaint.deadline_at, 0
        await complaint.save(
            update_fields=["state", "deadline_at", "next_reminder_at", "reminder_rung", "updated_at"]
        )
        due = (
            complaint.deadline_at.astimezone(calendar.tz).strftime("%Y-%m-%d")
            if complaint.deadline_at
            else ""
        )
        words = f"同意延期，{due} 前办结" if grant else f"不同意延期，仍须 {due} 前办结"
        await record(complaint, actor, action.value, words, batch.now)
        await refresh_complaint_cards(batch, complaint)
