"""Feedback to the complainant (回访), as a matter's reply is recorded: how (电话/书面), when, what
they were told; then their 好差评 rating and, asked separately, whether the problem was solved —
recorded by the office (never by the section that handled the case) or given by the complainant on
the public lookup page; one later 追评. A 差评 sends the case back (发回重办): the section gets its
card again with the reason and an 整改 deadline in working days, and the office groups are told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from bot.calendar.workdays import WorkCalendar
from bot.complaints.cards import complaint_url, issue_complaint_card, refresh_complaint_cards
from bot.complaints.events import record
from bot.complaints.workflow import (
    BAD_RATINGS,
    SATISFACTION_TITLES,
    SOLVED_TITLES,
    ComplaintAction,
    check_follow_up,
    next_state,
    rating_action,
)
from bot.outbox.batch import OutboxBatch
from models.complaint_feedback import ComplaintFeedback, RatingSource, Satisfaction, Solved
from models.complaints import Complaint
from models.enums import REPLY_METHOD_TITLES, GroupKind, ReplyMethod
from models.org import Department, GroupChannel, Person

MAX_SUMMARY = 2000
MAX_COMMENT = 500
MAX_REWORK_DAYS = 60
CLOCK_SKEW = dt.timedelta(minutes=5)


class FeedbackError(ValueError):
    """Feedback or a rating that cannot be recorded (the message says what to fix, in Chinese)."""


@dataclass(frozen=True)
class Report:
    """What the complainant was told: how, when, and a summary."""

    method: ReplyMethod
    told_at: dt.datetime
    summary: str


@dataclass(frozen=True)
class Rating:
    """The complainant's 好差评 and whether the problem was solved; a 差评 carries the 发回重办
    reason (``comment`` when no separate reason is given) and the 整改 working days."""

    satisfaction: Satisfaction
    solved: Solved
    comment: str = ""
    rework_reason: str = ""
    rework_days: int = 0

    @property
    def bad(self) -> bool:
        return self.satisfaction in BAD_RATINGS


def parse_report(method: str, told_at: str, summary: str, *, now: dt.datetime, tz: ZoneInfo) -> Report:
    """The report form's fields; ``told_at`` is local ``YYYY-MM-DDTHH:MM`` (empty: now)."""
    problems = []
    if method not in ReplyMethod.__members__.values():
        problems.append("请选择反馈方式（电话或书面）")
    when = now
    if told_at.strip():
        try:
            when = dt.datetime.fromisoformat(told_at.strip()[:16]).replace(tzinfo=tz)
        except ValueError:
            problems.append("反馈时间格式不对（如 2026-12-01T10:30）")
        else:
            if when > now + CLOCK_SKEW:
                problems.append("反馈时间不能晚于现在")
    summary = summary.strip()
    if not summary or len(summary) > MAX_SUMMARY:
        problems.append(f"请填写反馈内容摘要（不超过 {MAX_SUMMARY} 字）")
    if problems:
        raise FeedbackError("；".join(problems))
    return Report(ReplyMethod(method), when.astimezone(dt.UTC), summary)


def parse_rating(
    satisfaction: str, solved: str, comment: str, *, rework_reason: str = "", rework_days: str = "",
    default_days: int,
) -> Rating:  # fmt: skip
    """The rating fields; a 差评 needs a reason (the comment serves) and 1–60 working days."""
    problems = []
    if satisfaction not in Satisfaction.__members__.values():
        problems.append("请选择满意程度（非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意）")
    if solved not in Solved.__members__.values():
        problems.append("请选择问题是否解决（是 / 部分 / 否）")
    comment, reason = comment.strip(), rework_reason.strip()
    if len(comment) > MAX_COMMENT or len(reason) > MAX_COMMENT:
        problems.append(f"评价说明不超过 {MAX_COMMENT} 字")
    days = int(rework_days) if rework_days.isdigit() and len(rework_days) <= 3 else 0  # noqa: PLR2004
    days = days if rework_days.strip() else default_days
    bad = satisfaction in {s.value for s in BAD_RATINGS}
    if bad and not (reason or comment):
        problems.append("差评请说明不满意的原因（发回重办的理由）")
    if bad and not 1 <= days <= MAX_REWORK_DAYS:
        problems.append(f"整改时限应为 1–{MAX_REWORK_DAYS} 个工作日")
    if problems:
        raise FeedbackError("；".join(problems))
    return Rating(Satisfaction(satisfaction), Solved(solved), comment, reason or comment, days if bad else 0)


async def handled_by(person: Person | None, complaint: Complaint) -> bool:
    """Whether ``person`` belongs to the section that handled the case (its head or a member):
    they may not record the complainant's feedback or rule on their own 申诉."""
    if person is None or complaint.department_id is None:
        return False
    if person.department_id == complaint.department_id:
        return True
    department = await Department.get_or_none(id=complaint.department_id)
    return department is not None and person.id == department.head_id


async def latest_feedback(complaint: Complaint) -> ComplaintFeedback | None:
    return await ComplaintFeedback.filter(complaint_id=complaint.id).order_by("-round").first()


async def report_back(
    complaint: Complaint, report: Report, *, actor: str, now: dt.datetime
) -> ComplaintFeedback:
    """反馈: the section finished (办结); the office tells the complainant and records how."""
    state = next_state(complaint.state, ComplaintAction.REPORT_BACK)
    previous = await latest_feedback(complaint)
    async with in_transaction():
        feedback = await ComplaintFeedback.create(
            organisation_id=complaint.organisation_id, complaint=complaint,
            round=(previous.round + 1) if previous else 1, method=report.method, told_at=report.told_at,
            summary=report.summary, recorded_by=actor[:64], recorded_at=now,
        )  # fmt: skip
        complaint.state, complaint.updated_at = state, now
        await complaint.save(update_fields=["state", "updated_at"])
        how = REPLY_METHOD_TITLES[report.method]
        await record(complaint, actor, "report_back", f"{how}反馈投诉人：{report.summary}", now)
    return feedback


def rating_words(rating: Rating) -> str:
    words = f"{SATISFACTION_TITLES[rating.satisfaction]}，问题是否解决：{SOLVED_TITLES[rating.solved]}"
    return words + (f"。{rating.comment}" if rating.comment else "")


async def rate(
    complaint: Complaint, rating: Rating, source: RatingSource, calendar: WorkCalendar, batch: OutboxBatch, *,
    actor: str,
) -> ComplaintFeedback:  # fmt: skip
    """The rating of the latest feedback; a 差评 sends the case back to its section (发回重办)."""
    state = next_state(complaint.state, rating_action(rating.satisfaction))
    feedback = await latest_feedback(complaint)
    if feedback is None or feedback.rated_at is not None:
        raise FeedbackError("该投诉没有待评价的反馈")
    now = batch.now
    async with in_transaction():
        feedback.satisfaction, feedback.solved, feedback.rating_comment = (
            rating.satisfaction, rating.solved, rating.comment)  # fmt: skip
        feedback.rating_source, feedback.rated_by, feedback.rated_at = source, actor[:64], now
        complaint.state, complaint.updated_at = state, now
        who = "投诉人" if source is RatingSource.COMPLAINANT else "回访"
        await record(complaint, actor, "rate", f"{who}评价：{rating_words(rating)}", now)
        if rating.bad:
            feedback.rework_reason = rating.rework_reason
            feedback.rework_deadline_at = calendar.deadline_for(now, rating.rework_days)
            complaint.deadline_at = complaint.next_reminder_at = feedback.rework_deadline_at
            complaint.reminder_rung = 0
        await feedback.save()
        await complaint.save(update_fields=["state", "deadline_at", "next_reminder_at", "reminder_rung",
                                            "updated_at"])  # fmt: skip
        if rating.bad:
            await _send_back(complaint, feedback, calendar, batch, actor=actor)
    return feedback


async def _send_back(
    complaint: Complaint,
    feedback: ComplaintFeedback,
    calendar: WorkCalendar,
    batch: OutboxBatch,
    *,
    actor: str,
) -> None:
    """发回重办: the timeline row, the section's fresh card, and the office groups told."""
    due = (
        feedback.rework_deadline_at.astimezone(calendar.tz).strftime("%Y-%m-%d")
        if feedback.rework_deadline_at
        else ""
    )
    await record(
        complaint, actor, "rework", f"差评，发回重办：{feedback.rework_reason}；{due} 前整改", batch.now
    )
    department = await Department.get_or_none(id=complaint.department_id or 0)
    head = await Person.get_or_none(id=department.head_id) if department and department.head_id else None
    if head is not None:
        await issue_complaint_card(batch, complaint, head)
    await refresh_complaint_cards(batch, complaint)  # the older cards show 发回重办, without buttons
    text = (
        f"【发回重办】投诉 {complaint.number} 收到差评：{feedback.rework_reason}。"
        f"{department.name if department else '承办股室'}须于 {due} 前整改。详情：{complaint_url(batch.settings, complaint)}"
    )
    for group in await GroupChannel.filter(organisation_id=complaint.organisation_id, kind=GroupKind.OFFICE):
        await batch.group(
            group, text, dedupe_key=f"complaint:{complaint.id}:rework:{feedback.round}:{group.id}"
        )


async def follow_up(
    complaint: Complaint, text: str, source: RatingSource, *, actor: str, now: dt.datetime
) -> ComplaintFeedback:
    """追评: words added once to the latest rating, with their own time; the rating stays as it was."""
    words = text.strip()
    if not words or len(words) > MAX_COMMENT:
        raise FeedbackError(f"请填写追评内容（不超过 {MAX_COMMENT} 字）")
    feedback = (
        await ComplaintFeedback.filter(complaint_id=complaint.id, rated_at__isnull=False)
        .order_by("-round")
        .first()
    )
    check_follow_up(rated=feedback is not None, already_followed_up=bool(feedback and feedback.follow_up_at))
    assert feedback is not None  # noqa: S101 -- check_follow_up refused otherwise
    async with in_transaction():
        feedback.follow_up, feedback.follow_up_source, feedback.follow_up_at = words, source, now
        await feedback.save(update_fields=["follow_up", "follow_up_source", "follow_up_at"])
        who = "投诉人" if source is RatingSource.COMPLAINANT else "回访"
        await record(complaint, actor, "follow_up", f"{who}追评：{words}", now)
    return feedback
