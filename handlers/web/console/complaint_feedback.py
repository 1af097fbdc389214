"""``/admin/complaints/{number}/feedback/…``: the office's 回访 of a finished complaint — the report
to the complainant (电话/书面, when, what), the 好差评 rating and solved (a 差评 sends the case back
to its section: 发回重办), one 追评, and the ruling on the section's 申诉. Only the office and admins,
and never someone of the section that handled the case. Every POST is CSRF-checked and audited."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.calendar.workdays import load_calendar
from bot.complaints.appeals import rule_appeal
from bot.complaints.feedback import (
    FeedbackError,
    follow_up,
    handled_by,
    latest_feedback,
    parse_rating,
    parse_report,
    rate,
    report_back,
)
from bot.complaints.workflow import TransitionError
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer
from bot.web.console_audit import audit_change
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from handlers.web.console.complaints import CHANGERS, _fields, complaint_in_scope, render_detail
from models.complaint_feedback import AppealRuling, RatingSource
from models.complaints import Complaint
from models.org import Organisation

routes = web.RouteTableDef()
OWN_SECTION = "你所在的股室承办了这件投诉，回访、评价和申诉裁定须由活动办公室的其他人员记录。"
ACTIONS = frozenset({"report", "rate", "follow-up", "ruling"})


async def _snapshot(complaint: Complaint) -> dict[str, object]:
    feedback = await latest_feedback(complaint)
    return {
        "state": complaint.state.value,
        "round": feedback.round if feedback else None,
        "satisfaction": feedback.satisfaction.value if feedback and feedback.satisfaction else None,
        "solved": feedback.solved.value if feedback and feedback.solved else None,
        "follow_up": bool(feedback and feedback.follow_up_at),
    }


async def _apply(request: web.Request, viewer: ConsoleViewer, complaint: Complaint, action: str,
                 form: Mapping[str, str]) -> OutboxBatch:  # fmt: skip
    resources = request.app[RESOURCES]
    settings, now, actor = resources.settings, resources.clock.now(), viewer.actor
    batch = OutboxBatch(settings, await Organisation.get(id=viewer.organisation_id), now)
    calendar = await load_calendar(settings, viewer.organisation_id, today=now.date())
    if action == "report":
        report = parse_report(form.get("method", ""), form.get("told_at", ""), form.get("summary", ""),
                              now=now, tz=settings.tz)  # fmt: skip
        # The rating asked in the same call is optional here: it may come later, or from the lookup page.
        rating = None
        if form.get("satisfaction") or form.get("solved"):
            rating = parse_rating(form.get("satisfaction", ""), form.get("solved", ""), form.get("comment", ""),
                                  rework_reason=form.get("rework_reason", ""), rework_days=form.get("days", ""),
                                  default_days=settings.complaint_rework_working_days)  # fmt: skip
        await report_back(complaint, report, actor=actor, now=now)
        if rating is not None:
            await rate(complaint, rating, RatingSource.OFFICE, calendar, batch, actor=actor)
    elif action == "rate":
        rating = parse_rating(form.get("satisfaction", ""), form.get("solved", ""), form.get("comment", ""),
                              rework_reason=form.get("rework_reason", ""), rework_days=form.get("days", ""),
                              default_days=settings.complaint_rework_working_days)  # fmt: skip
        await rate(complaint, rating, RatingSource.OFFICE, calendar, batch, actor=actor)
    elif action == "follow-up":
        await follow_up(complaint, form.get("follow_up", ""), RatingSource.OFFICE, actor=actor, now=now)
    else:
        decision = form.get("decision", "")
        if decision not in AppealRuling.__members__.values():
            raise FeedbackError("请选择裁定结果（申诉成立 / 申诉不成立）")
        await rule_appeal(complaint, AppealRuling(decision), form.get("note", ""), batch, actor=actor)
    return batch


@routes.post("/admin/complaints/{number}/feedback/{action}")
async def feedback_action(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CHANGERS)
    form = _fields(await posted(request))
    await check_csrf(request, form)
    complaint = await complaint_in_scope(request, viewer)
    action = request.match_info["action"]
    if action not in ACTIONS:
        raise PageError(404, "找不到该操作", "没有这个操作。")
    if await handled_by(viewer.person, complaint):
        return await render_detail(request, viewer, complaint, error=OWN_SECTION, status=403)
    before = await _snapshot(complaint)
    try:
        async with in_transaction():
            batch = await _apply(request, viewer, complaint, action, form)
            await audit_change(viewer.actor, viewer.organisation_id, f"complaint.feedback.{action}", before,
                               await _snapshot(complaint), subject=complaint.number,
                               at=request.app[RESOURCES].clock.now())  # fmt: skip
    except (FeedbackError, TransitionError) as problem:
        return await render_detail(
            request, viewer, await complaint_in_scope(request, viewer), error=str(problem), status=400
        )
    await batch.nudge(request.app[RESOURCES])
    raise web.HTTPFound(f"/admin/complaints/{complaint.number}#feedback")
