"""A complaint sent on the public form: into the ledger, linked to its matter when the number given
is one of the organisation's, and announced to the office groups so the office triages it (§三.2).
One transaction: the complaint, its timeline and audit rows and the office's messages together."""

from __future__ import annotations

from dataclasses import replace

from tortoise.transactions import in_transaction

from bot.complaints.cards import complaint_url
from bot.complaints.ledger import link_matter, register_complaint
from bot.complaints.public_form import PublicComplaint
from bot.outbox.batch import OutboxBatch
from models.complaints import Complaint
from models.enums import GroupKind
from models.matter import Matter
from models.org import GroupChannel

ACTOR = "web_form"


async def register_public_complaint(
    batch: OutboxBatch, complaint: PublicComplaint, *, year: int
) -> Complaint:
    """Register ``complaint`` for ``batch``'s organisation. A related matter number of another
    organisation, or none at all, is kept in the text for the office; the complainant is never told
    whether it exists (the receipt is the same)."""
    organisation_id, now = batch.organisation.id, batch.now
    form, matter = complaint.form, None
    if complaint.matter_number:
        matter = await Matter.get_or_none(organisation_id=organisation_id, number=complaint.matter_number)
        if matter is None:
            note = f"（投诉人填写的相关事项编号 {complaint.matter_number} 未找到）"
            form = replace(form, content=f"{form.content}\n\n{note}")
    async with in_transaction():
        registered = await register_complaint(organisation_id, form, actor=ACTOR, now=now, year=year)
        if matter is not None:
            await link_matter(registered, matter.id, actor=ACTOR, now=now)
        await _tell_office(batch, registered)
    return registered


async def _tell_office(batch: OutboxBatch, complaint: Complaint) -> None:
    # Only our own words: what a stranger typed stays out of the groups' markdown (no links or
    # images planted in the office's chat); the ledger shows it, escaped.
    text = (
        f"公示页网上投诉 {complaint.number} 已登记，请在台账分流（答疑或交办）："
        f"{complaint_url(batch.settings, complaint)}"
    )
    groups = await GroupChannel.filter(organisation_id=complaint.organisation_id, kind=GroupKind.OFFICE)
    for group in groups:
        await batch.group(group, text, dedupe_key=f"complaint:{complaint.id}:web_form:group:{group.id}")
