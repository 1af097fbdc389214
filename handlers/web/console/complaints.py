"""``/admin/complaints`` (台账): the complaints office's ledger — list with filters, registration,
detail with timeline, link a matter, 并单, 答疑 and 交办. The office and admin change it; 纪检组 and
leaders read (leaders their own units and sections). Every POST is CSRF-checked and audited."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.calendar.workdays import load_calendar
from bot.complaints.attachments import NOUN, keep_complaint_files, materials_of, may_see_materials
from bot.complaints.feedback_view import feedback_context
from bot.complaints.forms import ComplaintFormError, parse_complaint_form
from bot.complaints.ledger import LedgerError, link_matter, merge_complaint, register_complaint
from bot.complaints.linked import linked_for
from bot.complaints.numbers import normalise_complaint_number
from bot.complaints.queries import (
    PAGE_SIZE,
    LedgerFilters,
    LedgerScope,
    complaint_of,
    ledger_page,
    parse_filters,
    timeline,
)
from bot.complaints.triage import TriageError, answer_complaint, assign_complaint, rule_extension
from bot.complaints.workflow import CHANNEL_TITLES, STATE_TITLES, TransitionError
from bot.matters.attachments import MAX_FILES, AttachmentRefused, settle
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES
from bot.web.console import CONSOLE_ROLES, ConsoleViewer, console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.uploads import UploadForm, read_upload_form
from handlers.web.console.changes import actor_names
from handlers.web.console.discipline import referral_context
from models.complaints import Complaint
from models.org import Department, Organisation, Role

routes = web.RouteTableDef()
CHANGERS = (Role.OFFICE, Role.ADMIN)
DEFAULT_DAYS = 5
MAX_FIELD = 6000
MAX_DAYS_DIGITS = 3
MAX_ID_DIGITS = 9
ACTION_ERRORS = (LedgerError, TriageError, TransitionError, ComplaintFormError, AttachmentRefused)


def ledger_scope(viewer: ConsoleViewer) -> LedgerScope:
    """The complaints of the ledger ``viewer`` may see."""
    return LedgerScope(
        viewer.organisation_id, viewer.whole_organisation, viewer.unit_ids, viewer.department_ids
    )


def _fields(form: Mapping[str, object]) -> dict[str, str]:
    return {k: v[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}


def _days(raw: str) -> int:
    """0..999 (the range is checked by the triage), 0 for anything else."""
    return int(raw) if raw.isdigit() and len(raw) <= MAX_DAYS_DIGITS else 0


def _id(raw: str) -> int:
    return int(raw) if raw.isdigit() and len(raw) <= MAX_ID_DIGITS else 0


def _page_url(filters: LedgerFilters, page: int) -> str:
    chosen = {"state": filters.state or "", "channel": filters.channel or "",
              "department": filters.department_id or "", "page": page}  # fmt: skip
    return "/admin/complaints?" + urlencode({k: str(v) for k, v in chosen.items() if v})


async def _departments(organisation_id: int) -> list[Department]:
    return await Department.filter(organisation_id=organisation_id).order_by("code")


def _base(viewer: ConsoleViewer, departments: list[Department]) -> dict[str, Any]:
    return {
        "viewer": viewer,
        "may_change": viewer.has(*CHANGERS),
        "departments": departments,
        "state_titles": STATE_TITLES,
        "channel_titles": CHANNEL_TITLES,
        "default_days": DEFAULT_DAYS,
    }


async def _list(request: web.Request, viewer: ConsoleViewer, *, error: str = "", form: Mapping[str, str] | None = None,
                status: int = 200) -> web.Response:  # fmt: skip
    filters = parse_filters(request.query)
    rows, total = await ledger_page(ledger_scope(viewer), filters)
    context = _base(viewer, await _departments(viewer.organisation_id))
    context.update(rows=rows, total=total, filters=filters, pages=max(1, -(-total // PAGE_SIZE)),
                   error=error, form=form or {}, tz=request.app[RESOURCES].settings.tz,
                   page_url=lambda n: _page_url(filters, n))  # fmt: skip
    return await render_console(request, "console/complaints.html.j2", context, status=status)


@routes.get("/admin/complaints")
async def complaints(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    return await _list(request, viewer)


async def _registration(request: web.Request) -> UploadForm:
    """The registration's fields and its materials (a form without files may come url-encoded)."""
    if request.content_type == "multipart/form-data":
        upload = await read_upload_form(request, request.app[RESOURCES].settings, room=MAX_FILES, noun=NOUN)
        upload.fields = {k: [v[0][:MAX_FIELD]] for k, v in upload.fields.items() if v}
        return upload
    form = _fields(await posted(request))
    await check_csrf(request, form)
    return UploadForm(fields={k: [v] for k, v in form.items()})


@routes.post("/admin/complaints")
async def register(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CHANGERS)
    upload = await _registration(request)
    linked: list[Path] = []
    try:
        return await _register(request, viewer, upload, linked)
    finally:
        await settle(request.app[RESOURCES].settings, upload.staged, linked)


async def _register(request: web.Request, viewer: ConsoleViewer, upload: UploadForm,
                    linked: list[Path]) -> web.Response:  # fmt: skip
    form = {k: upload.first(k) for k in upload.fields}
    resources = request.app[RESOURCES]
    if upload.refusals:
        error = "；".join([*upload.refusals, "投诉未登记，请重新选择材料"])
        return await _list(request, viewer, error=error, form=form, status=400)
    try:
        parsed = parse_complaint_form(form)
    except ComplaintFormError as problem:
        return await _list(request, viewer, error=str(problem), form=form, status=400)
    department_id = _id(form.get("department", ""))
    if parsed.no_matter_on_file and not department_id:
        message = "勾选了“被告知不能办但无事项登记”，请选择被反映的股室（督办对象）"
        return await _list(request, viewer, error=message, form=form, status=400)
    now = resources.clock.now()
    batch = OutboxBatch(resources.settings, await Organisation.get(id=viewer.organisation_id), now)
    try:
        async with in_transaction():
            complaint = await register_complaint(viewer.organisation_id, parsed, actor=viewer.actor, now=now,
                                                 year=now.astimezone(resources.settings.tz).year)  # fmt: skip
            kept = await keep_complaint_files(resources.settings, complaint, upload.staged, uploader=viewer.person,
                                              actor=viewer.actor, now=now, linked=linked)  # fmt: skip
            if department_id:  # 交办 at once (a 督办 tells the section and the office now)
                calendar = await load_calendar(resources.settings, viewer.organisation_id, today=now.date())
                await assign_complaint(complaint, department_id, _days(form.get("days", "")) or DEFAULT_DAYS,
                                       calendar, batch, actor=viewer.actor)  # fmt: skip
            await audit_change(viewer.actor, viewer.organisation_id, "complaint.register", {},
                               {"number": complaint.number, "state": complaint.state.value,
                                "department": complaint.department_id, "files": len(kept)},
                               subject=complaint.number, at=now)  # fmt: skip
    except ACTION_ERRORS as problem:
        return await _list(request, viewer, error=str(problem), form=form, status=400)
    await batch.nudge(resources)
    raise web.HTTPFound(f"/admin/complaints/{complaint.number}")


async def complaint_in_scope(request: web.Request, viewer: ConsoleViewer) -> Complaint:
    """The complaint of the path in the viewer's ledger scope (else the Chinese 404)."""
    number = normalise_complaint_number(request.match_info["number"][:40])
    complaint = await complaint_of(ledger_scope(viewer), number) if number else None
    if complaint is None:
        raise PageError(404, "找不到该投诉", "没有这个投诉编号，或不在你可查看的范围内。")
    return complaint


async def render_detail(request: web.Request, viewer: ConsoleViewer, complaint: Complaint, *, error: str = "",
                  status: int = 200) -> web.Response:  # fmt: skip
    resources = request.app[RESOURCES]
    context = _base(viewer, await _departments(viewer.organisation_id))
    events = await timeline(complaint)
    names = await actor_names(viewer.organisation_id, {e.actor for e in events})
    context.update(c=complaint, events=events, names=names, error=error, tz=resources.settings.tz,
                   linked=await linked_for(complaint, resources.clock.now()))  # fmt: skip
    context.update(await referral_context(viewer.organisation_id, complaint.id))
    context.update(await feedback_context(complaint, viewer.person, may_change=viewer.has(*CHANGERS)))
    context.update(await materials_context(viewer, complaint))
    return await render_console(request, "console/complaint.html.j2", context, status=status)


async def materials_context(viewer: ConsoleViewer, complaint: Complaint) -> dict[str, Any]:
    """What ``console/complaint_attachments.html.j2`` shows: the files, to those who may see them."""
    visible = await may_see_materials(complaint, viewer.roles, viewer.person)
    files = await materials_of(complaint) if visible else []
    return {"materials": files, "may_see_materials": visible, "max_files": MAX_FILES,
            "may_upload": viewer.has(*CHANGERS) and len(files) < MAX_FILES}  # fmt: skip


@routes.get("/admin/complaints/{number}")
async def detail(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    return await render_detail(request, viewer, await complaint_in_scope(request, viewer))


async def _apply(request: web.Request, viewer: ConsoleViewer, complaint: Complaint, action: str,
                 form: Mapping[str, str]) -> OutboxBatch | None:  # fmt: skip
    resources = request.app[RESOURCES]
    now, actor = resources.clock.now(), viewer.actor
    if action == "link":
        await link_matter(complaint, _id(form.get("matter", "")), actor=actor, now=now)
    elif action == "merge":
        number = normalise_complaint_number(form.get("into", "")[:40]) or ""
        await merge_complaint(complaint, number, actor=actor, now=now)
    elif action == "answer":
        await answer_complaint(
            complaint, form.get("answer", ""), form.get("method", ""), actor=actor, now=now
        )
    elif action == "assign":
        calendar = await load_calendar(resources.settings, viewer.organisation_id, today=now.date())
        batch = OutboxBatch(resources.settings, await Organisation.get(id=viewer.organisation_id), now)
        await assign_complaint(complaint, _id(form.get("department", "")), _days(form.get("days", "")),
                               calendar, batch, actor=actor)  # fmt: skip
        return batch
    elif action == "extension":
        calendar = await load_calendar(resources.settings, viewer.organisation_id, today=now.date())
        batch = OutboxBatch(resources.settings, await Organisation.get(id=viewer.organisation_id), now)
        await rule_extension(complaint, form.get("decision") == "grant", _days(form.get("days", "")),
                             calendar, batch, actor=actor)  # fmt: skip
        return batch
    else:
        raise PageError(404, "找不到该操作", "没有这个操作。")
    return None


@routes.post("/admin/complaints/{number}/{action}")
async def act(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *CHANGERS)
    form = _fields(await posted(request))
    await check_csrf(request, form)
    complaint = await complaint_in_scope(request, viewer)
    action = request.match_info["action"]
    before = {
        "state": complaint.state.value,
        "department": complaint.department_id,
        "matter": complaint.matter_id,
    }
    try:
        async with in_transaction():
            batch = await _apply(request, viewer, complaint, action, form)
            after = {"state": complaint.state.value, "department": complaint.department_id,
                     "matter": complaint.matter_id}  # fmt: skip
            await audit_change(viewer.actor, viewer.organisation_id, f"complaint.{action}"[:40], before, after,
                               subject=complaint.number, at=request.app[RESOURCES].clock.now())  # fmt: skip
    except ACTION_ERRORS as problem:
        fresh = await complaint_in_scope(request, viewer)
        return await render_detail(request, viewer, fresh, error=str(problem), status=400)
    if batch is not None:
        await batch.nudge(request.app[RESOURCES])
    raise web.HTTPFound(f"/admin/complaints/{complaint.number}")
