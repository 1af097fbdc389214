"""What the console's complaint page shows of the feedback: each round (report, rating, 追评,
发回重办) with its 申诉 and ruling, and whether the viewer may record any of it (the office, never
the section that handled the case)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.complaints.appeals import RULING_TITLES
from bot.complaints.feedback import MAX_REWORK_DAYS, handled_by
from bot.complaints.workflow import SATISFACTION_TITLES, SOLVED_TITLES
from models.complaint_feedback import ComplaintAppeal, ComplaintFeedback
from models.complaints import Complaint
from models.enums import REPLY_METHOD_TITLES
from models.org import Person


@dataclass(frozen=True)
class FeedbackRound:
    feedback: ComplaintFeedback
    appeal: ComplaintAppeal | None


async def feedback_context(
    complaint: Complaint, person: Person | None, *, may_change: bool
) -> dict[str, Any]:
    """The partial ``console/complaint_feedback.html.j2``'s context."""
    rounds = await ComplaintFeedback.filter(complaint_id=complaint.id).order_by("round")
    appeals = {a.feedback_id: a for a in await ComplaintAppeal.filter(complaint_id=complaint.id)}
    own_section = await handled_by(person, complaint)
    return {
        "feedback_rounds": [FeedbackRound(f, appeals.get(f.id)) for f in rounds],
        "may_record_feedback": may_change and not own_section,
        "own_section": own_section,
        "satisfaction_titles": SATISFACTION_TITLES,
        "solved_titles": SOLVED_TITLES,
        "method_titles": REPLY_METHOD_TITLES,
        "ruling_titles": RULING_TITLES,
        "max_rework_days": MAX_REWORK_DAYS,
    }
