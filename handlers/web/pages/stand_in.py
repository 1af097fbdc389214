"""``/m/stand-in`` (代理): a leader names who stands in for them over a date range, or ends one.
The checks, the audit row and the messages are `bot.org.stand_ins`'s; this page parses the
form, runs it in one transaction and shows each field's problem beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.audit import audit_at_commit
from bot.errors import UserError
from bot.org.stand_ins import (
    FormErrors,
    StandInForm,
    eligible_stand_ins,
    end_own_stand_in,
    may_have_stand_in,
    my_ranges,
    set_own_stand_in,
)
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES, Resources
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.inputs import InputError, decimal, storable
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person
from models.org import Organisation, Person

routes = web.RouteTableDef()

PAGE = "/m/stand-in"
MAX_ID = 2**31 - 1
NOT_A_LEADER = "只有股室负责人、分管领导和主要领导可以设置代理。如需为他人设置，请联系活动办公室。"
DONE = {
    "set": "代理已设置，代理人和活动办公室已收到通知。",
    "ended": "代理已结束，代理人和活动办公室已收到通知。",
}


async def _leader(request: web.Request) -> Person:
    person = await signed_in_person(request)
    if not may_have_stand_in(person):
        raise PageError(403, "不能设置代理", NOT_A_LEADER)
    return person


def _today(resources: Resources) -> dt.date:
    return resources.clock.now().astimezone(resources.settings.tz).date()


async def _page(
    request: web.Request,
    person: Person,
    *,
    form: StandInForm | None = None,
    errors: Mapping[str, str] | None = None,
    message: str = "",
    status: int = 200,
) -> web.Response:
    today = _today(request.app[RESOURCES])
    context = {
        "viewer": person,
        "today": today.isoformat(),
        "form": form or StandInForm(start=today.isoformat(), end=today.isoformat()),
        "errors": errors or {},
        "message": message,
        "done": DONE.get(request.query.get("done", ""), ""),
        "people": await eligible_stand_ins(person),
        "ranges": await my_ranges(person, today),
    }
    return await render_page(request, "pages/stand_in.html.j2", context, status=status)


@routes.get(PAGE)
async def stand_in_page(request: web.Request) -> web.Response:
    """My stand-ins (current and coming) and the form to add one."""
    return await _page(request, await _leader(request))


def _field(form: Mapping[str, object], key: str, label: str, errors: dict[str, str]) -> str:
    value = form.get(key)
    if not isinstance(value, str):
        return ""
    try:
        return storable(value, label)
    except InputError as exc:
        errors[key] = str(exc)
        return ""


@routes.post(PAGE)
async def set_stand_in_post(request: web.Request) -> web.Response:
    """Add a range; on a problem the form comes back with the words beside the fields."""
    person = await _leader(request)
    body = await posted(request)
    await check_csrf(request, body)
    errors: dict[str, str] = {}
    form = StandInForm(
        stand_in=_field(body, "stand_in", "代理人", errors),
        start=_field(body, "start", "开始日期", errors),
        end=_field(body, "end", "结束日期", errors),
        reason=_field(body, "reason", "事由", errors),
    )
    if errors:
        return await _page(request, person, form=form, errors=errors, status=400)
    resources = request.app[RESOURCES]
    batch = OutboxBatch(
        resources.settings, await Organisation.get(id=person.organisation_id), resources.clock.now()
    )
    try:
        async with in_transaction(), audit_at_commit():
            await set_own_stand_in(batch, person, form, _today(resources))
    except FormErrors as exc:
        return await _page(request, person, form=form, errors=exc.errors, status=400)
    except UserError as exc:
        return await _page(request, person, form=form, message=exc.message, status=400)
    await batch.nudge(resources)
    raise web.HTTPFound(f"{PAGE}?done=set")


@routes.post(PAGE + "/{range_id}/end")
async def end_stand_in_post(request: web.Request) -> web.Response:
    """End one of my ranges (from today my steps come back to me)."""
    person = await _leader(request)
    body = await posted(request)
    await check_csrf(request, body)
    range_id = decimal(request.match_info["range_id"], MAX_ID)
    if range_id is None:
        return await _page(request, person, message="找不到这条代理。请刷新页面后再试。", status=404)
    resources = request.app[RESOURCES]
    batch = OutboxBatch(
        resources.settings, await Organisation.get(id=person.organisation_id), resources.clock.now()
    )
    try:
        async with in_transaction(), audit_at_commit():
            await end_own_stand_in(batch, person, range_id, _today(resources))
    except UserError as exc:
        return await _page(request, person, message=exc.message, status=400)
    await batch.nudge(resources)
    raise web.HTTPFound(f"{PAGE}?done=ended")
