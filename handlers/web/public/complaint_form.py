"""``/public/{org}/complaint``: anyone may complain without an account. The form (also on the
public page) is checked field by field, limited per IP and per phone, and guarded against bots by a
honeypot field and a minimum fill time (``bot.web.visitors``); a caught bot is answered with the
same receipt page as a person, but nothing is stored. A complaint lands in the ledger with channel
网上表单 (``bot.complaints.ledger.register_complaint``); the receipt shows its TS-… number."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.complaints.intake import register_public_complaint
from bot.complaints.numbers import format_complaint_number
from bot.complaints.public_form import FIELDS, PublicComplaint, PublicComplaintErrors, parse_public_complaint
from bot.org.public_info import organisation_by_code
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES, Resources
from bot.web.client_ip import client_ip
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.rate_limits import within_limit
from bot.web.sessions import get_session
from bot.web.visitors import STAMP_FIELD, issue_stamp, stamp_age
from models.complaints import ComplaintCounter
from models.org import Organisation

routes = web.RouteTableDef()

HONEYPOT = "website"  # hidden from people (CSS), filled in by bots that fill every field
RECEIPT_KEY = "public_receipt"
MAX_CODE = 64
MAX_FIELD = 8000  # characters read of any one field; the form's own limits are far lower
NOT_FOUND = "没有这个单位的公示页面。请检查地址，或向单位索取正确的链接。"
HOUR, DAY = 3600, 86400


async def public_organisation(request: web.Request) -> Organisation:
    """The organisation named by the path's ``{org}`` code; the Chinese 404 page for any other."""
    code = request.match_info.get("org", "")
    # printable: no NUL or lone surrogate, which no text column can be compared with
    well_formed = 0 < len(code) <= MAX_CODE and code.isprintable()
    organisation = await organisation_by_code(code) if well_formed else None
    if organisation is None:
        raise PageError(404, "没有找到", NOT_FOUND)
    return organisation


async def form_context(request: web.Request, values: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What the form template needs: the posted values (or none), and a fresh fill-time stamp."""
    session = await get_session(request)
    now = request.app[RESOURCES].clock.now()
    return {"values": values or {}, "errors": {}, "stamp": issue_stamp(session, now),
            "stamp_field": STAMP_FIELD, "honeypot": HONEYPOT}  # fmt: skip


async def _form_page(request: web.Request, organisation: Organisation, values: Mapping[str, str], *,
                     errors: Mapping[str, str] | None = None, message: str = "", status: int = 200) -> web.Response:  # fmt: skip
    context = await form_context(request, values)
    context.update(org=organisation, errors=errors or {}, message=message, viewer=None)
    return await render_page(request, "public/complaint.html.j2", context, status=status)


@routes.get("/public/{org}/complaint")
async def complaint_page(request: web.Request) -> web.Response:
    """The complaint form on its own page."""
    return await _form_page(request, await public_organisation(request), {})


def _values(body: Mapping[str, object]) -> dict[str, str]:
    return {k: v[:MAX_FIELD] for k in (*FIELDS, HONEYPOT, STAMP_FIELD) if isinstance(v := body.get(k), str)}


async def _caught_bot(request: web.Request, values: Mapping[str, str]) -> bool:
    """A filled honeypot, or a form sent sooner than a person could (or with a missing or forged stamp)."""
    if values.get(HONEYPOT, "").strip():
        return True
    resources = request.app[RESOURCES]
    age = stamp_age(await get_session(request), values.get(STAMP_FIELD), resources.clock.now())
    return age is None or age < resources.settings.public_form_min_seconds


async def _over_limit(request: web.Request, organisation: Organisation, complaint: PublicComplaint) -> str:
    """Why this complaint may not be sent now ("" when it may): per IP an hour, per phone a day."""
    resources = request.app[RESOURCES]
    settings = resources.settings
    per_ip, per_phone = settings.public_complaints_per_ip_hour, settings.public_complaints_per_phone_day
    call = (
        f"如确有急事，请拨打投诉电话 {organisation.complaint_phone}。" if organisation.complaint_phone else ""
    )
    if not await within_limit(
        resources.redis, f"complaint:ip:{client_ip(request, resources.settings)}", per_ip, HOUR
    ):
        return f"提交太频繁：同一网络每小时最多提交 {per_ip} 件投诉，请一小时后再试。{call}"
    phone_key = f"complaint:phone:{organisation.id}:{complaint.phone_key}"
    if not await within_limit(resources.redis, phone_key, per_phone, DAY):
        return f"这个联系电话今天已提交 {per_phone} 件投诉，请明天再提交，或在已有投诉中补充说明。{call}"
    return ""


async def _plausible_number(resources: Resources, organisation: Organisation) -> str:
    """What a caught bot is shown: the number the next complaint would get (nothing is taken)."""
    year = resources.clock.now().astimezone(resources.settings.tz).year
    counter = await ComplaintCounter.get_or_none(organisation_id=organisation.id, year=year)
    return format_complaint_number(year, (counter.last_seq if counter else 0) + 1)


@routes.post("/public/{org}/complaint")
async def send_complaint(request: web.Request) -> web.Response:
    """Check, limit, register; then the receipt (after a redirect, so a reload sends nothing twice)."""
    organisation = await public_organisation(request)
    body = await posted(request)
    await check_csrf(request, body)
    values = _values(body)
    resources = request.app[RESOURCES]
    session = await get_session(request)
    if await _caught_bot(request, values):
        session[RECEIPT_KEY] = await _plausible_number(resources, organisation)
        raise web.HTTPSeeOther(f"/public/{organisation.code}/complaint/received")
    try:
        complaint = parse_public_complaint(values)
    except PublicComplaintErrors as problems:
        message = "请按提示修改后再提交。"
        return await _form_page(
            request, organisation, values, errors=problems.errors, message=message, status=400
        )
    refusal = await _over_limit(request, organisation, complaint)
    if refusal:
        return await _form_page(request, organisation, values, message=refusal, status=429)
    now = resources.clock.now()
    batch = OutboxBatch(resources.settings, organisation, now)
    year = now.astimezone(resources.settings.tz).year
    registered = await register_public_complaint(batch, complaint, year=year)
    await batch.nudge(resources)
    session[RECEIPT_KEY] = registered.number
    raise web.HTTPSeeOther(f"/public/{organisation.code}/complaint/received")


@routes.get("/public/{org}/complaint/received")
async def received(request: web.Request) -> web.Response:
    """The receipt: the number to quote and where to follow the answer."""
    organisation = await public_organisation(request)
    number = (await get_session(request)).get(RECEIPT_KEY)
    if not isinstance(number, str):
        raise web.HTTPSeeOther(f"/public/{organisation.code}/complaint")
    context = {"org": organisation, "number": number, "viewer": None}
    return await render_page(request, "public/received.html.j2", context)
