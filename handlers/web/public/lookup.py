"""``/public/{org}/lookup`` (进度查询, no sign-in): a matter (TJ-…) or complaint (TS-…) number and the
last four digits of the phone on file show the case's state, dates and, once answered, the answer
(``bot.complaints.progress``); after a complaint's feedback the complainant may rate it (好差评 +
solved) and later add one 追评 (``bot.complaints.feedback``). Matters are not rated here: the page
points to the complaints office instead.

A wrong pair answers exactly like an unknown number (same page, same status, the same words), and so
does another organisation's number. Every request counts against the IP's hourly limit, every number
asked about against the number's (known or not), GET as well as POST; past either the page says
so, for any number alike. A successful lookup marks the number verified in the session for
``VERIFIED_FOR``, which is what lets the rating forms change that one case and nothing else."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.calendar.workdays import load_calendar
from bot.complaints.feedback import FeedbackError, follow_up, parse_rating, rate
from bot.complaints.progress import PHONE_TAIL, Progress, complaint_progress, find_progress, lookup_number
from bot.complaints.workflow import SATISFACTION_TITLES, SOLVED_TITLES, TransitionError
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES
from bot.web.client_ip import client_ip
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.rate_limits import within_limit
from bot.web.sessions import get_session
from models.complaint_feedback import RatingSource
from models.complaints import Complaint
from models.org import Organisation

routes = web.RouteTableDef()
TEMPLATE = "public/lookup.html.j2"
HOUR = 3600
VERIFIED_FOR = 1800  # seconds a successful lookup lets the session rate that case
SESSION_KEY = "public_lookup"
ACTOR = "投诉人（进度查询页）"
MAX_FIELD = 600
ORG_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
NOT_FOUND = (
    "没有查到匹配的记录。请核对编号和登记时所留手机号的后四位；如仍查不到，请致电本局“办不成事”受理办公室。"
)
LIMITED = "查询太频繁，请一小时后再试。"
BAD_NUMBER = "请填写事项编号（如 TJ-2026-0001）或投诉编号（如 TS-2026-0001）。"
BAD_PHONE = "请填写手机号后四位（4 位数字）。"


async def _organisation(request: web.Request) -> Organisation:
    code = request.match_info["org"]
    organisation = await Organisation.get_or_none(code=code) if ORG_CODE.fullmatch(code) else None
    if organisation is None:
        raise PageError(404, "没有找到", "没有这个单位的公开页面，请核对网址。")
    return organisation


async def _page(request: web.Request, organisation: Organisation, *, status: int = 200,
                progress: Progress | None = None, message: str = "", done: str = "",
                form: Mapping[str, str] | None = None) -> web.Response:  # fmt: skip
    context: dict[str, Any] = {
        "organisation": organisation, "progress": progress, "message": message, "done": done,
        "form": form or {}, "viewer": None,
        "satisfaction_titles": [(k.value, v) for k, v in SATISFACTION_TITLES.items()],
        "solved_titles": [(k.value, v) for k, v in SOLVED_TITLES.items()],
    }  # fmt: skip
    return await render_page(request, TEMPLATE, context, status=status)


async def _ip_allowed(request: web.Request) -> bool:
    resources = request.app[RESOURCES]
    key = f"lookup:ip:{client_ip(request, resources.settings)}"
    return await within_limit(resources.redis, key, resources.settings.public_lookups_per_ip_hour, HOUR)


async def _form(request: web.Request) -> dict[str, str]:
    body = await posted(request)
    await check_csrf(request, body)
    return {k: v[:MAX_FIELD] for k, v in body.items() if isinstance(v, str)}


async def _look_up(
    request: web.Request, organisation: Organisation, raw_number: str, tail: str
) -> web.Response:
    resources = request.app[RESOURCES]
    echo = {"number": raw_number.strip()[:20]}
    number = lookup_number(raw_number)
    if number is None or not PHONE_TAIL.fullmatch(tail.strip()):
        return await _page(request, organisation, status=400, form=echo,
                           message=BAD_NUMBER if number is None else BAD_PHONE)  # fmt: skip
    key = f"lookup:number:{organisation.id}:{number}"
    if not await within_limit(resources.redis, key, resources.settings.public_lookups_per_number_hour, HOUR):
        return await _page(request, organisation, status=429, message=LIMITED, form=echo)
    progress = await find_progress(organisation.id, number, tail.strip(), resources.settings.tz)
    if progress is None:
        return await _page(request, organisation, status=404, message=NOT_FOUND, form=echo)
    session = await get_session(request)
    session[SESSION_KEY] = {"organisation": organisation.id, "number": number, "at": time.time()}
    return await _page(request, organisation, progress=progress)


@routes.get("/public/{org}/lookup")
async def lookup_page(request: web.Request) -> web.Response:
    organisation = await _organisation(request)
    if not await _ip_allowed(request):
        return await _page(request, organisation, status=429, message=LIMITED)
    number, tail = request.query.get("number", ""), request.query.get("phone", "")
    if not number and not tail:
        return await _page(request, organisation)
    return await _look_up(request, organisation, number[:MAX_FIELD], tail[:MAX_FIELD])


@routes.post("/public/{org}/lookup")
async def lookup_post(request: web.Request) -> web.Response:
    organisation = await _organisation(request)
    if not await _ip_allowed(request):
        return await _page(request, organisation, status=429, message=LIMITED)
    form = await _form(request)
    return await _look_up(request, organisation, form.get("number", ""), form.get("phone", ""))


async def _verified(request: web.Request, organisation: Organisation, number: str) -> Complaint | None:
    """The complaint this session looked up (with the right phone) in the last ``VERIFIED_FOR``."""
    mark = (await get_session(request)).get(SESSION_KEY)
    if (
        not isinstance(mark, dict)
        or mark.get("organisation") != organisation.id
        or mark.get("number") != number
    ):
        return None
    at = mark.get("at")
    if not isinstance(at, (int, float)) or time.time() - at > VERIFIED_FOR:
        return None
    return await Complaint.get_or_none(organisation_id=organisation.id, number=number)


async def _change(request: web.Request, what: str) -> web.Response:
    organisation = await _organisation(request)
    if not await _ip_allowed(request):
        return await _page(request, organisation, status=429, message=LIMITED)
    form = await _form(request)
    resources = request.app[RESOURCES]
    complaint = await _verified(request, organisation, lookup_number(form.get("number", "")) or "")
    if complaint is None:
        return await _page(
            request,
            organisation,
            status=403,
            message="查询已过期，请重新输入编号和手机号后四位查询后再评价。",
        )
    now = resources.clock.now()
    batch = OutboxBatch(resources.settings, organisation, now)
    try:
        async with in_transaction():
            if what == "rate":
                rating = parse_rating(form.get("satisfaction", ""), form.get("solved", ""), form.get("comment", ""),
                                      default_days=resources.settings.complaint_rework_working_days)  # fmt: skip
                calendar = await load_calendar(resources.settings, organisation.id, today=now.date())
                await rate(complaint, rating, RatingSource.COMPLAINANT, calendar, batch, actor=ACTOR)
            else:
                await follow_up(
                    complaint, form.get("follow_up", ""), RatingSource.COMPLAINANT, actor=ACTOR, now=now
                )
    except (FeedbackError, TransitionError) as problem:
        fresh = await Complaint.get(id=complaint.id)
        progress = await complaint_progress(fresh, resources.settings.tz)
        return await _page(
            request, organisation, status=400, progress=progress, message=str(problem), form=form
        )
    await batch.nudge(resources)
    progress = await complaint_progress(complaint, resources.settings.tz)
    done = "感谢您的评价。" if what == "rate" else "追评已提交，感谢您的反馈。"
    return await _page(request, organisation, progress=progress, done=done)


@routes.post("/public/{org}/lookup/rate")
async def rate_post(request: web.Request) -> web.Response:
    return await _change(request, "rate")


@routes.post("/public/{org}/lookup/follow-up")
async def follow_up_post(request: web.Request) -> web.Response:
    return await _change(request, "follow_up")
