"""The simulator's JSON API (DESIGN §4). Every bad input gets a 4xx with a Chinese message."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlsplit

from aiohttp import web

from bot.clock import SimClock
from bot.events import CardAction, Sender, TextMessage
from bot.messengers.simulator import store
from bot.messengers.simulator.clock_store import save_offset
from bot.runtime.resources import RESOURCES, Resources
from handlers.web.sim.timeparse import TimeInputError, parse_duration, parse_instant
from handlers.web.sim.views import item_view, person_view
from models.enums import Platform
from models.org import GroupChannel, Organisation, Person
from models.simulator import SimMessage

Handler = Callable[[web.Request], Awaitable[web.Response]]
PLATFORM = Platform.SIMULATOR
MAX_TEXT = 4000
MAX_ID = 2**31 - 1  # the id columns are 32-bit integers
MAX_SEQ = 2**63 - 1


class ApiError(Exception):
    """Turned into ``{"ok": false, "message": …}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _api(handler: Handler) -> Handler:
    """Answer an ``ApiError`` as JSON ``{"ok": false, "message": …}`` with its status."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request)
        except ApiError as exc:
            return web.json_response({"ok": False, "message": exc.message}, status=exc.status)

    return wrapped


def _resources(request: web.Request) -> Resources:
    return request.app[RESOURCES]


def _check_origin(request: web.Request) -> None:
    """Refuse cross-site posts from a browser (scripts send no Origin header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    # Behind a reverse proxy the Host header may name the upstream: the forwarded host and the
    # configured public URL count as our own origin too.
    ours = {request.host, request.headers.get("X-Forwarded-Host", "")}
    public_url = _resources(request).settings.public_url
    if public_url:
        ours.add(urlsplit(public_url).netloc)
    if urlsplit(origin).netloc not in ours - {""}:
        raise ApiError(403, "拒绝跨站请求：请从模拟器页面操作（或把 TIJI_PUBLIC_URL 设为本页的地址）")


async def _json_object(request: web.Request) -> dict[str, Any]:
    _check_origin(request)
    raw = await request.text()
    try:
        data = json.loads(raw)
    except ValueError:
        raise ApiError(
            400, '请求内容不是有效的 JSON，请发送 JSON 对象，如 {"from": "zhangsan", "text": "帮助"}'
        ) from None
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容须是 JSON 对象（{…}），不是数组或单个值")
    return data


def _storable(value: str, label: str) -> str:
    """Refuse what no text column can hold: a NUL or a lone surrogate (JSON and URLs allow both)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"“{label}”含有无法识别的字符，请删去后重试") from None
    if "\x00" in value:
        raise ApiError(400, f"“{label}”含有空字符（\\u0000），请删去后重试")
    return value


def _string(data: dict[str, Any], key: str, label: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, f"缺少“{label}”（字段 {key}，须是非空字符串）")
    return _storable(value.strip(), label)


def _number(raw: str, limit: int) -> int | None:
    """A plain decimal (ASCII digits only: ``"²".isdigit()`` is true) no larger than ``limit``."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= limit else None


def _after(request: web.Request, name: str = "after") -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    # ``after`` is compared with ids (32-bit), ``changed_after`` with the 64-bit change counter.
    value = _number(raw, MAX_SEQ if name == "changed_after" else MAX_ID)
    if value is None:
        raise ApiError(400, f"参数 {name} 须是非负整数，如 ?{name}=0")
    return value


async def _organisation() -> Organisation:
    organisation = await Organisation.all().order_by("id").first()
    if organisation is None:
        raise ApiError(409, "还没有导入组织架构：请先运行 tiji org import 组织文件.yaml")
    return organisation


async def _person(organisation: Organisation, handle: str) -> Person:
    _storable(handle, "账号")
    person = await Person.get_or_none(organisation=organisation, handle=handle, active=True)
    if person is None:
        raise ApiError(400, f"组织里没有账号为 {handle} 的人员，请从 /sim/api/people 列出的人员中选择")
    return person


async def people(request: web.Request) -> web.Response:
    organisation = await _organisation()
    rows = (
        await Person.filter(organisation=organisation, active=True)
        .prefetch_related("department", "unit")
        .order_by("id")
    )
    # Unit by unit, its leaders (no section) first, then section by section.
    rows.sort(key=lambda p: (p.unit_id or 0, p.department_id or 0, p.id))
    return web.json_response([person_view(p, p.department, p.unit) for p in rows])


async def post_message(request: web.Request) -> web.Response:
    data = await _json_object(request)
    handle = _string(data, "from", "发送人账号")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "消息内容为空：请填写 text，如 “帮助”")
    if len(text) > MAX_TEXT:
        raise ApiError(400, f"消息太长：最多 {MAX_TEXT} 个字")
    _storable(text, "消息内容")
    organisation = await _organisation()
    await _person(organisation, handle)
    resources = _resources(request)
    dedupe_key = f"sim:msg:{uuid.uuid4().hex}"
    await store.write(
        resources.redis,
        organisation_id=organisation.id,
        channel=store.user_channel(handle),
        direction="in",
        kind="text",
        text=text,
        at=resources.clock.now(),
        dedupe_key=dedupe_key,
    )
    from bot.web.app import ROUTER

    event = TextMessage(sender=Sender(PLATFORM, handle), text=text, dedupe_key=dedupe_key)
    reply = await request.app[ROUTER].handle(event)
    return web.json_response({"accepted": True, "ok": reply.ok, "message": reply.message}, status=202)


def _click_label(card: dict[str, object] | None, key: str, selected: dict[str, str]) -> str:
    """How the tap reads in the conversation: the button's text and the chosen option."""
    label = key
    options: dict[str, str] = {}
    if card is not None:
        for button in card.get("buttons") or []:  # type: ignore[attr-defined]
            if button.get("key") == key:
                label = str(button.get("text", key))
        selection = card.get("selection")
        if isinstance(selection, dict):
            options = {str(o["id"]): str(o["text"]) for o in selection.get("options", [])}
    chosen = [options.get(v, v) for v in selected.values()]
    return f"［点击］{label}" + (f"（{'、'.join(chosen)}）" if chosen else "")


async def click_card(request: web.Request) -> web.Response:
    data = await _json_object(request)
    ref = _storable(request.match_info["ref"], "卡片编号")
    handle = _string(data, "by", "点击人账号")
    key = _string(data, "key", "按钮")
    raw_selected = data.get("selected") or {}
    if not isinstance(raw_selected, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw_selected.items()
    ):
        raise ApiError(400, 'selected 须是 {选项组: 选项} 形式的对象，如 {"refusal_category": "law"}')
    selected: dict[str, str] = {_storable(k, "选项组"): _storable(v, "选项") for k, v in raw_selected.items()}
    organisation = await _organisation()
    await _person(organisation, handle)
    resources = _resources(request)
    shown = (
        await SimMessage.filter(organisation=organisation, card_ref=ref, channel=store.user_channel(handle))
        .order_by("-id")
        .first()
    )
    dedupe_key = f"sim:click:{uuid.uuid4().hex}"
    await store.write(
        resources.redis,
        organisation_id=organisation.id,
        channel=store.user_channel(handle),
        direction="in",
        kind="text",
        text=_click_label(None if shown is None else shown.card, key, selected),
        at=resources.clock.now(),
        dedupe_key=dedupe_key,
    )
    from bot.web.app import ROUTER

    event = CardAction(
        sender=Sender(PLATFORM, handle), card_ref=ref, key=key, selected=selected, dedupe_key=dedupe_key
    )
    reply = await request.app[ROUTER].handle(event)
    return web.json_response({"ok": reply.ok, "message": reply.message})


async def _channel_items(request: web.Request, organisation: Organisation, channel: str) -> web.Response:
    after = _after(request) or 0
    changed_after = _after(request, "changed_after")
    rows = await store.items(organisation.id, channel, after=after, changed_after=changed_after)
    tz = _resources(request).settings.tz
    return web.json_response([item_view(m, tz) for m in rows])


async def inbox(request: web.Request) -> web.Response:
    organisation = await _organisation()
    handle = request.match_info["handle"]
    await _person(organisation, handle)
    return await _channel_items(request, organisation, store.user_channel(handle))


async def groups(request: web.Request) -> web.Response:
    organisation = await _organisation()
    rows = await GroupChannel.filter(organisation=organisation).order_by("id")
    return web.json_response([{"id": g.id, "name": g.name, "code": g.code, "kind": g.kind} for g in rows])


async def group_items(request: web.Request) -> web.Response:
    organisation = await _organisation()
    raw_id = request.match_info["group_id"]
    group_id = _number(raw_id, MAX_ID)
    group = (
        await GroupChannel.get_or_none(organisation=organisation, id=group_id)
        if group_id is not None
        else None
    )
    if group is None:
        raise ApiError(404, f"没有编号为 {raw_id} 的群，请从 /sim/api/groups 中选择")
    return await _channel_items(request, organisation, store.group_channel(group.id))


async def file_download(request: web.Request) -> web.Response:
    raw_id = request.match_info["message_id"]
    message_id = _number(raw_id, MAX_ID)
    message = await SimMessage.get_or_none(id=message_id) if message_id is not None else None
    if message is None or message.attachment is None or message.attachment_name is None:
        raise ApiError(404, "没有这个文件")
    name = message.attachment_name
    return web.Response(
        body=bytes(message.attachment),
        content_type=message.attachment_type or "application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


def _clock_now(resources: Resources) -> dict[str, object]:
    return {
        "now": resources.clock.now().astimezone(resources.settings.tz).isoformat(),
        "adjustable": isinstance(resources.clock, SimClock),
    }


async def get_clock(request: web.Request) -> web.Response:
    return web.json_response(_clock_now(_resources(request)))


async def set_clock(request: web.Request) -> web.Response:
    data = await _json_object(request)
    resources = _resources(request)
    clock = resources.clock
    if not isinstance(clock, SimClock):
        raise ApiError(409, "当前时钟是真实时间，不能调整（只有模拟模式 TIJI_SIMULATOR=1 可以调时间）")
    has_now, has_advance = "now" in data, "advance" in data
    if has_now == has_advance:
        raise ApiError(400, '请二选一：{"now": "2026-12-01T09:00:00+08:00"} 或 {"advance": "PT4H"}')
    value = data["now"] if has_now else data["advance"]
    if not isinstance(value, str):
        raise ApiError(400, '时间和时长须写成字符串，如 "2026-12-01T09:00:00+08:00" 或 "P1D"')
    try:
        if has_now:
            clock.set(parse_instant(value))
        else:
            clock.advance(parse_duration(value))
    except TimeInputError as exc:
        raise ApiError(400, str(exc)) from None
    await save_offset(resources)
    return web.json_response(_clock_now(resources))


async def tick(request: web.Request) -> web.Response:
    """Run the cron work that is due as of the (simulated) now, then push out what it queued."""
    _check_origin(request)
    from bot.jobs.passes import run_due_work

    resources = _resources(request)
    ran = await run_due_work(resources)
    from bot.outbox.delivery import sweep_outbox

    nudged = await sweep_outbox(resources)
    return web.json_response({"ran": list(ran), "nudged": nudged})


def add_api_routes(app: web.Application) -> None:
    app.router.add_get("/sim/api/people", _api(people))
    app.router.add_post("/sim/api/messages", _api(post_message))
    app.router.add_get("/sim/api/inbox/{handle}", _api(inbox))
    app.router.add_post("/sim/api/cards/{ref}/click", _api(click_card))
    app.router.add_get("/sim/api/groups", _api(groups))
    app.router.add_get("/sim/api/groups/{group_id}", _api(group_items))
    app.router.add_get("/sim/api/files/{message_id}", _api(file_download))
    app.router.add_get("/sim/api/clock", _api(get_clock))
    app.router.add_post("/sim/api/clock", _api(set_clock))
    app.router.add_post("/sim/api/tick", _api(tick))
