"""纪检组 (``/admin/discipline``): the office refers a complaint with a note
(``POST /admin/discipline/refer/{number}``, from the complaint's page); the 纪检组 sees the referred
cases, records findings and 责任追究 (person, measure, date) and closes the case. The office and
admins read the cases; only the 纪检组 records. Every POST is CSRF-checked and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.complaints.numbers import normalise_complaint_number
from bot.complaints.queries import LedgerScope, complaint_of
from bot.discipline.cases import close_case, hold_accountable, record_findings, refer_complaint
from bot.discipline.queries import case_detail, cases_of, decision_counts, latest_case_of, people_of
from bot.discipline.workflow import MEASURE_TITLES, STATE_TITLES, DisciplineError
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import Form, path_id, read_form, today
from bot.web.errors import PageError
from handlers.web.console.changes import actor_names
from models.discipline import AccountabilityMeasure, DisciplineCase, DisciplineState
from models.org import Role

routes = web.RouteTableDef()
READERS = (Role.DISCIPLINE, Role.OFFICE, Role.ADMIN)
REFERRERS = (Role.OFFICE, Role.ADMIN)
RECORDERS = (Role.DISCIPLINE,)
MAX_ID_DIGITS = 9


def _measure(raw: str) -> AccountabilityMeasure | None:
    return AccountabilityMeasure(raw) if raw in AccountabilityMeasure.__members__.values() else None


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


@routes.post("/admin/discipline/refer/{number}")
async def refer(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *REFERRERS)
    form = await read_form(request)
    number = normalise_complaint_number(request.match_info["number"][:40])
    scope = LedgerScope(viewer.organisation_id, whole_organisation=True)
    complaint = await complaint_of(scope, number) if number else None
    if complaint is None:
        raise PageError(404, "找不到该投诉", "没有这个投诉编号，或不在你可查看的范围内。")
    now = request.app[RESOURCES].clock.now()
    try:
        async with in_transaction():
            case = await refer_complaint(complaint, form.get("note"), actor=viewer.actor, now=now)
            after = {"case": case.id, "complaint": complaint.number, "note": case.note}
            await audit_change(viewer.actor, viewer.organisation_id, "discipline.refer", {}, after,
                               subject=complaint.number, at=now)  # fmt: skip
    except DisciplineError as problem:
        raise PageError(400, "未能移送纪检组", f"{problem}。请返回投诉页面修改后重新提交。") from None
    raise web.HTTPFound(f"/admin/complaints/{complaint.number}")


@routes.get("/admin/discipline")
async def case_list(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *READERS)
    raw = request.query.get("state", "")
    state = DisciplineState(raw) if raw in DisciplineState.__members__.values() else None
    cases = await cases_of(viewer.organisation_id, state)
    context = {"viewer": viewer, "cases": cases, "state": state, "state_titles": STATE_TITLES,
               "decisions": await decision_counts([c.id for c in cases]),
               "tz": request.app[RESOURCES].settings.tz}  # fmt: skip
    return await render_console(request, "console/discipline.html.j2", context)


async def _detail(request: web.Request, viewer: ConsoleViewer, *, error: str = "", form: Form | None = None,
                  status: int = 200) -> web.Response:  # fmt: skip
    detail = await case_detail(viewer.organisation_id, path_id(request))
    if detail is None:
        raise PageError(404, "找不到该案件", "没有这个案件，或不在你可查看的范围内。")
    case = detail.case
    context: dict[str, Any] = {
        "viewer": viewer, "case": case, "decisions": detail.decisions, "error": error,
        "form": form.values if form else {}, "may_record": viewer.has(*RECORDERS),
        "people": await people_of(viewer.organisation_id), "measures": MEASURE_TITLES,
        "state_titles": STATE_TITLES, "tz": request.app[RESOURCES].settings.tz, "today": today(request),
        "names": await actor_names(viewer.organisation_id, {case.referred_by, case.findings_by, case.closed_by}),
    }  # fmt: skip
    return await render_console(request, "console/discipline_case.html.j2", context, status=status)


@routes.get("/admin/discipline/{id}")
async def case_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *READERS)
    return await _detail(request, viewer)


def _state(case: DisciplineCase) -> dict[str, object]:
    return {"state": case.state.value, "findings": case.findings}


@routes.post("/admin/discipline/{id}/{action}")
async def record(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *RECORDERS)
    form = await read_form(request)
    case = await DisciplineCase.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if case is None:
        raise PageError(404, "找不到该案件", "没有这个案件，或不在你可查看的范围内。")
    action, now, before = request.match_info["action"], request.app[RESOURCES].clock.now(), _state(case)
    try:
        async with in_transaction():
            after: dict[str, object]
            if action == "findings":
                await record_findings(case, form.get("findings"), actor=viewer.actor, now=now)
                after = _state(case)
            elif action == "accountability":
                person = form.get("person")
                row = await hold_accountable(
                    case, int(person) if person.isdigit() and len(person) <= MAX_ID_DIGITS else 0,
                    _measure(form.get("measure")), _date(form.get("decided_on")),
                    actor=viewer.actor, now=now, today=today(request),
                )  # fmt: skip
                after = {**_state(case), "person": row.person_id, "measure": row.measure.value,
                         "decided_on": row.decided_on.isoformat()}  # fmt: skip
            elif action == "close":
                await close_case(case, actor=viewer.actor, now=now)
                after = _state(case)
            else:
                raise PageError(404, "找不到该操作", "没有这个操作。")
            await audit_change(viewer.actor, viewer.organisation_id, f"discipline.{action}", before, after,
                               subject=f"discipline:{case.id}", at=now)  # fmt: skip
    except DisciplineError as problem:
        return await _detail(request, viewer, error=str(problem), form=form, status=400)
    raise web.HTTPFound(f"/admin/discipline/{case.id}")


async def referral_context(organisation_id: int, complaint_id: int) -> dict[str, Any]:
    """What ``console/complaint_discipline.html.j2`` (on the complaint's page) needs."""
    return {
        "discipline_case": await latest_case_of(organisation_id, complaint_id),
        "discipline_titles": STATE_TITLES,
    }
