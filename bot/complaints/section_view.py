"""A complaint as its section sees it on the phone (``/m/complaints/{number}``): the content, the
complainant and phone, the deadline, the state, the section's steps (交办 to 申诉裁定, not the
office's 回访 or the 纪检组's work), the materials and, when sent back, the 发回重办 reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.complaints.attachments import materials_of
from bot.complaints.cards import REWORK_STATES
from bot.complaints.workflow import STATE_TITLES, ComplaintAction
from models.attachments import Attachment
from models.complaint_feedback import ComplaintFeedback
from models.complaints import Complaint, ComplaintEvent
from models.org import Department

# What the section did or was told about: the office's 回访, ratings and the 纪检组 are left out.
SECTION_STEPS = frozenset(
    {
        ComplaintAction.ASSIGN.value, ComplaintAction.SIGN.value, ComplaintAction.FINISH.value,
        ComplaintAction.REQUEST_EXTENSION.value, ComplaintAction.GRANT_EXTENSION.value,
        ComplaintAction.REFUSE_EXTENSION.value, ComplaintAction.APPEAL.value,
        ComplaintAction.UPHOLD_APPEAL.value, ComplaintAction.REJECT_APPEAL.value,
        "supervise", "rework", "appeal_ruling",
    }
)  # fmt: skip
STEP_TITLES = {
    "assign": "交办", "sign": "签收", "finish": "办结", "request_extension": "申请延期",
    "grant_extension": "同意延期", "refuse_extension": "不同意延期", "appeal": "申诉",
    "uphold_appeal": "申诉成立", "reject_appeal": "申诉不成立", "appeal_ruling": "申诉裁定",
    "supervise": "督办", "rework": "发回重办",
}  # fmt: skip


@dataclass(frozen=True)
class Step:
    title: str
    at: str  # local time
    text: str


@dataclass(frozen=True)
class SectionView:
    complaint: Complaint
    state: str
    department: str
    deadline: str  # local date and time, "" when none
    reworking: bool
    rework_reason: str
    steps: list[Step]
    materials: list[Attachment]


def _local(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


async def section_view(complaint: Complaint, tz: ZoneInfo) -> SectionView:
    """What the phone page shows (the caller has checked the viewer may see the complaint)."""
    department = await Department.get_or_none(id=complaint.department_id or 0)
    events = ComplaintEvent.filter(complaint_id=complaint.id, what__in=list(SECTION_STEPS)).order_by(
        "at", "id"
    )
    steps = [Step(STEP_TITLES.get(e.what, e.what), _local(e.at, tz), e.text) for e in await events]
    reworking = complaint.state in REWORK_STATES
    latest = await ComplaintFeedback.filter(complaint_id=complaint.id).order_by("-round").first()
    return SectionView(
        complaint=complaint,
        state=STATE_TITLES[complaint.state],
        department=department.name if department else "",
        deadline=_local(complaint.deadline_at, tz),
        reworking=reworking,
        rework_reason=latest.rework_reason if reworking and latest is not None else "",
        steps=steps,
        materials=await materials_of(complaint),
    )
