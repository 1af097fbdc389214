"""The complaint's timeline rows and its audit rows, written together in the change's transaction."""

from __future__ import annotations

import datetime as dt

from bot.audit import append_audit
from models.complaints import Complaint, ComplaintEvent

MAX_FIELD = 64


async def record(complaint: Complaint, actor: str, what: str, text: str, at: dt.datetime) -> None:
    """One timeline row and the matching ``complaint.<what>`` audit row."""
    await ComplaintEvent.create(
        organisation_id=complaint.organisation_id,
        complaint=complaint,
        at=at,
        actor=actor[:MAX_FIELD],
        what=what,
        text=text,
    )
    await append_audit(
        complaint.organisation_id,
        at=at,
        actor=actor[:MAX_FIELD],
        action=f"complaint.{what}"[:MAX_FIELD],
        subject=complaint.number,
        data={"state": complaint.state.value, "text": text[:500]},
    )
