"""What the public lookup page may show of a matter (TJ-…) or a complaint (TS-…), given its number
and the last four digits of the phone on file: the state, the dates, and once answered the reason and
说“行”建议 (a matter) or the answer and feedback (a complaint). Nothing else: no staff names beyond
the section, no other matters, no complainant details. A wrong pair is the same None as an unknown
number, so the caller cannot tell them apart."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.complaints.feedback import latest_feedback
from bot.complaints.numbers import normalise_complaint_number
from bot.complaints.workflow import SATISFACTION_TITLES, SOLVED_TITLES, STATE_TITLES
from bot.matters.numbers import normalise_number
from bot.matters.views import STATE_TITLES as MATTER_STATE_TITLES
from models.complaint_feedback import ComplaintFeedback
from models.complaints import Complaint, ComplaintState
from models.enums import REFUSAL_CATEGORY_TITLES, REPLY_METHOD_TITLES, Action, MatterState
from models.matter import Matter
from models.org import Department

PHONE_TAIL = re.compile(r"\d{4}")
Rows = tuple[tuple[str, str], ...]
CAN_DO_WORDS = "经提级研判，该事项能办。承办股室会与您联系办理。"


@dataclass(frozen=True)
class Progress:
    """The public view of one case (``kind`` is 事项 or 投诉)."""

    kind: str
    number: str
    state: str
    section: str
    dates: Rows
    answer: Rows = ()
    rating: Rows = ()
    may_rate: bool = False
    may_follow_up: bool = False


def lookup_number(text: str) -> str | None:
    """A matter or complaint number as stored (``TJ-2026-0007`` / ``TS-2026-0007``), or None."""
    text = text.strip()[:40]
    return normalise_complaint_number(text) or normalise_number(text)


def _tail_matches(phone: str, tail: str) -> bool:
    digits = re.sub(r"\D", "", phone)
    return len(digits) >= len(tail) and secrets.compare_digest(digits[-len(tail) :].encode(), tail.encode())


def _day(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _section(department_id: int | None) -> str:
    department = await Department.get_or_none(id=department_id or 0)
    return department.name if department else ""


async def find_progress(organisation_id: int, number: str, phone_tail: str, tz: ZoneInfo) -> Progress | None:
    """The case of this organisation with ``number`` whose phone ends in ``phone_tail``, else None."""
    if number.startswith("TS-"):
        complaint = await Complaint.get_or_none(organisation_id=organisation_id, number=number)
        if complaint is None or not _tail_matches(complaint.phone, phone_tail):
            return None
        return await complaint_progress(complaint, tz)
    matter = await Matter.get_or_none(organisation_id=organisation_id, number=number)
    if matter is None or not _tail_matches(matter.applicant_phone, phone_tail):
        return None
    return await matter_progress(matter, tz)


async def matter_progress(matter: Matter, tz: ZoneInfo) -> Progress:
    dates = [("受理时间", _day(matter.submitted_at, tz))]
    if matter.state is MatterState.PENDING:
        dates.append(("答复期限", _day(matter.due_at, tz)))
    dates += [(label, _day(at, tz)) for label, at in
              (("研判结论时间", matter.decided_at), ("答复时间", matter.replied_at), ("撤回时间", matter.withdrawn_at)) if at]  # fmt: skip
    answer: Rows = ()
    if matter.outcome is Action.CONFIRM_NO and matter.state in (MatterState.REFUSED, MatterState.CLOSED):
        category = REFUSAL_CATEGORY_TITLES[matter.refusal_category] if matter.refusal_category else ""
        answer = (("不能办理的类别", category), ("不能办理的理由", matter.decision_text),
                  ("说“行”建议", matter.way_forward))  # fmt: skip
    elif matter.outcome is Action.CAN_DO and matter.state in (MatterState.RESOLVED, MatterState.CLOSED):
        answer = (("研判结果", CAN_DO_WORDS),)
    return Progress("事项", matter.number, MATTER_STATE_TITLES[matter.state], await _section(matter.department_id),
                    tuple(dates), tuple((k, v) for k, v in answer if v))  # fmt: skip


def _rating_rows(feedback: ComplaintFeedback | None) -> Rows:
    if feedback is None or feedback.satisfaction is None or feedback.solved is None:
        return ()
    rows = [("满意程度", SATISFACTION_TITLES[feedback.satisfaction]), ("问题是否解决", SOLVED_TITLES[feedback.solved]),
            ("评价说明", feedback.rating_comment), ("追评", feedback.follow_up)]  # fmt: skip
    return tuple((k, v) for k, v in rows if v)


async def complaint_progress(complaint: Complaint, tz: ZoneInfo) -> Progress:
    state = complaint.state
    feedback = await latest_feedback(complaint)
    rated = (
        await ComplaintFeedback.filter(complaint_id=complaint.id, rated_at__isnull=False)
        .order_by("-round")
        .first()
    )
    dates = [("登记时间", _day(complaint.created_at, tz))]
    if complaint.deadline_at and state not in (ComplaintState.ANSWERED, ComplaintState.MERGED):
        dates.append(
            ("整改期限" if state is ComplaintState.REOPENED else "办结期限", _day(complaint.deadline_at, tz))
        )
    answer: list[tuple[str, str]] = []
    if state is ComplaintState.ANSWERED:
        answer = [("答复", complaint.answer), ("告知方式", complaint.answer_method)]
    elif state is ComplaintState.MERGED:
        answer = [("处理", "与您反映的同一事项合并办理（重复诉求并单）")]
    elif feedback is not None:
        dates.append(("反馈时间", _day(feedback.told_at, tz)))
        answer = [("办理结果", feedback.summary), ("反馈方式", REPLY_METHOD_TITLES[feedback.method])]
    if state is ComplaintState.REOPENED:
        answer.append(("当前进展", "已发回承办股室重新办理（整改）"))
    return Progress(
        "投诉", complaint.number, STATE_TITLES[state], await _section(complaint.department_id), tuple(dates),
        tuple((k, v) for k, v in answer if v), _rating_rows(rated), may_rate=state is ComplaintState.REPORTED,
        may_follow_up=rated is not None and rated.follow_up_at is None and state is not ComplaintState.REPORTED,
    )  # fmt: skip
