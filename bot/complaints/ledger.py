"""The ledger's changes: register, link a matter, merge a repeated complaint (并单).
Each runs in one transaction, writes a timeline row and an audit row; triage is in ``triage``."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from bot.complaints.events import record
from bot.complaints.forms import ComplaintForm
from bot.complaints.numbers import format_complaint_number, next_complaint_seq
from bot.complaints.workflow import ComplaintAction, next_state
from models.complaints import Complaint, ComplaintState
from models.matter import Matter


class LedgerError(ValueError):
    """A ledger change that cannot be made (the message says why, in Chinese)."""


async def register_complaint(
    organisation_id: int, form: ComplaintForm, *, actor: str, now: dt.datetime, year: int
) -> Complaint:
    """A new complaint numbered ``TS-<year>-NNNN``; with ``no_matter_on_file`` it is flagged for
    督办 (``bot.complaints.supervision.open_supervision`` tells the section once it is assigned)."""
    async with in_transaction():
        seq = await next_complaint_seq(organisation_id, year)
        complaint = await Complaint.create(
            organisation_id=organisation_id,
            number=format_complaint_number(year, seq),
            year=year,
            seq=seq,
            channel=form.channel,
            complainant=form.complainant,
            phone=form.phone,
            company=form.company,
            content=form.content,
            no_matter_on_file=form.no_matter_on_file,
            state=ComplaintState.REGISTERED,
            registered_by=actor[:64],
            created_at=now,
            updated_at=now,
        )
        note = "（反映被告知“不能办”但无事项登记，督办）" if form.no_matter_on_file else ""
        await record(complaint, actor, "register", f"登记投诉{note}", now)
    return complaint


async def link_matter(complaint: Complaint, matter_id: int, *, actor: str, now: dt.datetime) -> Matter:
    """Link the complaint to one of its organisation's matters."""
    matter = await Matter.get_or_none(id=matter_id, organisation_id=complaint.organisation_id)
    if matter is None:
        raise LedgerError("找不到该事项，请从列出的相关事项中选择")
    async with in_transaction():
        complaint.matter_id = matter.id
        complaint.updated_at = now
        await complaint.save(update_fields=["matter_id", "updated_at"])
        await record(complaint, actor, "link", f"关联事项 {matter.number}", now)
    return matter


async def merge_complaint(
    complaint: Complaint, earlier_number: str, *, actor: str, now: dt.datetime
) -> Complaint:
    """重复诉求并单: close ``complaint`` into the earlier open case ``earlier_number``."""
    earlier = await Complaint.get_or_none(organisation_id=complaint.organisation_id, number=earlier_number)
    if earlier is None:
        raise LedgerError("找不到要并入的投诉编号，请检查（如 TS-2026-0001）")
    if earlier.id == complaint.id or earlier.created_at > complaint.created_at:
        raise LedgerError("只能并入更早登记的另一件投诉")
    if earlier.state is ComplaintState.MERGED:
        raise LedgerError(f"{earlier.number} 本身已并单，请并入其主件")
    state = next_state(complaint.state, ComplaintAction.MERGE)
    async with in_transaction():
        complaint.state = state
        complaint.merged_into_id = earlier.id
        complaint.next_reminder_at = None
        complaint.updated_at = now
        await complaint.save(update_fields=["state", "merged_into_id", "next_reminder_at", "updated_at"])
        await record(complaint, actor, "merge", f"重复诉求，并入 {earlier.number}", now)
        await record(
            earlier, actor, "merged_in", f"{complaint.number} 并入本件：{complaint.content[:200]}", now
        )
    return earlier
