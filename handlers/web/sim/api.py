"""The simulator's conversation API (DESIGN §4): people, messages, card taps, inboxes, groups and
files. Bodies are pydantic models (``bodies``); refusals are ``ApiError``/``InputError``, which the
error middleware answers as ``{"ok": false, "message": …}`` in Chinese."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from aiohttp import web

from bot.events import CardAction, Sender, TextMessage
from bot.messengers.simulator import store
from bot.runtime.resources import RESOURCES, ROUTER
from bot.web.api import ApiError, json_body, json_object, validated
from bot.web.inputs import decimal, storable
from handlers.web.sim.bodies import ClickBody, MessageBody
from handlers.web.sim.views import click_label, item_view, person_view
from models.enums import Platform, SimDirection, SimKind
from models.org import GroupChannel, Organisation, Person
from models.simulator import SimMessage

PLATFORM = Platform.SIMULATOR
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers
MAX_SEQ = 2**63 - 1

routes = web.RouteTableDef()


def _after(request: web.Request, name: str = "after") -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    # ``after`` is compared with ids (32-bit), ``changed_after`` with the 64-bit change counter.
    value = decimal(raw, MAX_SEQ if name == "changed_after" else MAX_ID)
    if value is None:
        raise ApiError(400, f"参数 {name} 须是非负整数，如 ?{name}=0")
    return value


async def _organisation() -> Organisation:
    organisation = await Organisation.all().order_by("id").first()
    if organisation is None:
        raise ApiError(409, "还没有导入组织架构：请先运行 tiji org import 组织文件.yaml")
    return organisation


MAX_HANDLE = 64  # Person.handle's column


async def _person(organisation: Organisation, handle: str) -> Person:
    storable(handle, "账号")
    # A handle longer than the column is nobody (tortoise refuses to even filter by it).
    person = (
        None
        if len(handle) > MAX_HANDLE
        else await Person.get_or_none(organisation=organisation, handle=handle, active=True)
    )
    if person is None:
        raise ApiError(
            400, f"组织里没有账号为 {handle[:MAX_HANDLE]} 的人员，请从 /sim/api/people 列出的人员中选择"
        )
    return person


async def _said(
    request: web.Request, organisation: Organisation, handle: str, text: str, dedupe_key: str
) -> None:
    """Show what ``handle`` did in their conversation, as the platforms' own clients do."""
    resources = request.app[RESOURCES]
    await store.write(
        resources.redis,
        organisation_id=organisation.id,
        channel=store.user_channel(handle),
        direction=SimDirection.IN,
        kind=SimKind.TEXT,
        text=text,
        at=resources.clock.now(),
        dedupe_key=dedupe_key,
    )


@routes.get("/sim/api/people")
async def people(request: web.Request) -> web.Response:
    """The org's active people, unit by unit, with their roles."""
    organisation = await _organisation()
    rows = (
        await Person.filter(organisation=organisation, active=True)
        .prefetch_related("department", "unit")
        .order_by("id")
    )
    # Unit by unit, its leaders (no section) first, then section by section.
    rows.sort(key=lambda p: (p.unit_id or 0, p.department_id or 0, p.id))
    return web.json_response([person_view(p, p.department, p.unit) for p in rows])


@routes.post("/sim/api/messages")
async def post_message(request: web.Request) -> web.Response:
    """A chat message from ``from`` to the bot → 202 and the router's reply."""
    body = await json_body(request, MessageBody)
    organisation = await _organisation()
    await _person(organisation, body.sender)
    dedupe_key = f"sim:msg:{uuid.uuid4().hex}"
    await _said(request, organisation, body.sender, body.text, dedupe_key)
    event = TextMessage(sender=Sender(PLATFORM, body.sender), text=body.text, dedupe_key=dedupe_key)
    reply = await request.app[ROUTER].handle(event)
    return web.json_response({"accepted": True, "ok": reply.ok, "message": reply.message}, status=202)


@routes.post("/sim/api/cards/{ref}/click")
async def click_card(request: web.Request) -> web.Response:
    """A tap on a card's button by ``by`` → the router's reply."""
    data = await json_object(request)
    ref = storable(request.match_info["ref"], "卡片编号")  # checked before the fields, as it always was
    body = validated(ClickBody, data)
    organisation = await _organisation()
    await _person(organisation, body.by)
    channel = store.user_channel(body.by)
    shown = (
        await SimMessage.filter(organisation=organisation, card_ref=ref, channel=channel)
        .order_by("-id")
        .first()
    )
    dedupe_key = f"sim:click:{uuid.uuid4().hex}"
    label = click_label(None if shown is None else shown.card, body.key, body.selected)
    await _said(request, organisation, body.by, label, dedupe_key)
    event = CardAction(
        sender=Sender(PLATFORM, body.by),
        card_ref=ref,
        key=body.key,
        selected=body.selected,
        dedupe_key=dedupe_key,
    )
    reply = await request.app[ROUTER].handle(event)
    return web.json_response({"ok": reply.ok, "message": reply.message})


async def _channel_items(request: web.Request, organisation: Organisation, channel: str) -> web.Response:
    after = _after(request) or 0
    changed_after = _after(request, "changed_after")
    rows = await store.items(organisation.id, channel, after=after, changed_after=changed_after)
    tz = request.app[RESOURCES].settings.tz
    return web.json_response([item_view(m, tz) for m in rows])


@routes.get("/sim/api/inbox/{handle}")
async def inbox(request: web.Request) -> web.Response:
    """One person's 1:1 conversation with the bot, oldest first (``?after=ID``, ``?changed_after=SEQ``)."""
    organisation = await _organisation()
    handle = request.match_info["handle"]
    await _person(organisation, handle)
    return await _channel_items(request, organisation, store.user_channel(handle))


@routes.get("/sim/api/groups")
async def groups(request: web.Request) -> web.Response:
    """The org's group channels (office, units)."""
    organisation = await _organisation()
    rows = await GroupChannel.filter(organisation=organisation).order_by("id")
    return web.json_response([{"id": g.id, "name": g.name, "code": g.code, "kind": g.kind} for g in rows])


@routes.get("/sim/api/groups/{group_id}")
async def group_items(request: web.Request) -> web.Response:
    """One group channel's posts, as the inbox."""
    organisation = await _organisation()
    raw_id = request.match_info["group_id"]
    group_id = decimal(raw_id, MAX_ID)
    group = (
        await GroupChannel.get_or_none(organisation=organisation, id=group_id)
        if group_id is not None
        else None
    )
    if group is None:
        raise ApiError(404, f"没有编号为 {raw_id} 的群，请从 /sim/api/groups 中选择")
    return await _channel_items(request, organisation, store.group_channel(group.id))


@routes.get("/sim/api/files/{message_id}")
async def file_download(request: web.Request) -> web.Response:
    """A group post's attachment."""
    message_id = decimal(request.match_info["message_id"], MAX_ID)
    message = await SimMessage.get_or_none(id=message_id) if message_id is not None else None
    if message is None or message.attachment is None or message.attachment_name is None:
        raise ApiError(404, "没有这个文件")
    return web.Response(
        body=bytes(message.attachment),
        content_type=message.attachment_type or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(message.attachment_name)}"},
    )
