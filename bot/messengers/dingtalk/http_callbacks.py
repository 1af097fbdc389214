"""HTTP mode (``TIJI_DINGTALK_MODE=http``): ``/dingtalk/robot`` and ``/dingtalk/card``.

Both check a signature and a timestamp (±1 h) before reading anything, and that the signed header
pair did not come before with another body (``replay``: DingTalk signs only the timestamp); a bad
one is refused with 403 and nothing is applied. Card callbacks are answered within DingTalk's 2 s: the router's work
continues in the background, and the card itself is updated afterwards through the outbox.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from bot.events import Event, EventSink, Reply
from bot.messengers.dingtalk.client import DingTalkClient, DingTalkError
from bot.messengers.dingtalk.inbound import answer_within, dispatch_once
from bot.messengers.dingtalk.messenger import CALLBACK_ROUTE_KEY, CARD_SCOPE
from bot.messengers.dingtalk.parse import PayloadError, parse_bot_message, parse_card_callback
from bot.messengers.dingtalk.replay import SignedUse, use_signature
from bot.messengers.dingtalk.signing import verify_card_callback, verify_robot_request
from bot.runtime.resources import RESOURCES, ROUTER, Resources

log = logging.getLogger(__name__)

ROBOT_PATH = "/dingtalk/robot"
CARD_PATH = "/dingtalk/card"
BACKGROUND = web.AppKey("dingtalk_background", set[asyncio.Task[Reply | None]])
CARD_ANSWER = {"cardUpdateOptions": {"updateCardDataByKey": True, "updatePrivateDataByKey": True}}


def _router(request: web.Request) -> EventSink:
    return request.app[ROUTER]


async def _body(request: web.Request) -> dict[str, Any] | None:
    try:
        value = json.loads(await request.read())
    except (ValueError, RecursionError):  # not UTF-8 or not JSON; nested past the parser's limit
        return None
    return value if isinstance(value, dict) else None


def _refused(reason: str) -> web.Response:
    return web.json_response({"errcode": 403, "errmsg": reason}, status=403)


async def _replayed(
    request: web.Request, resources: Resources, timestamp: str, signature: str
) -> web.Response | None:
    """A refusal when this signed header pair came before with another body (``replay``), or when
    the cache cannot be asked (503: DingTalk retries); None to go on."""
    try:
        use = await use_signature(resources.redis, request.path, timestamp, signature, await request.read())
    except Exception:
        log.exception("dingtalk callback: the replay cache is unavailable")
        return web.json_response({"errcode": 503, "errmsg": "暂时无法处理，请稍后重试"}, status=503)
    if use is SignedUse.REPLAY:
        log.warning("dingtalk callback refused: its signed timestamp came before with another body (replay)")
        return _refused("签名已用于另一请求")
    return None


async def robot_callback(request: web.Request) -> web.Response:
    """A bot message (1:1, or a group message that @s the bot)."""
    resources = request.app[RESOURCES]
    secret = resources.settings.dingtalk_client_secret or ""
    now = resources.clock.now()
    timestamp, sign = request.headers.get("timestamp"), request.headers.get("sign")
    if not verify_robot_request(timestamp, sign, secret, now) or timestamp is None or sign is None:
        log.warning("dingtalk robot callback refused: bad sign or stale timestamp")
        return _refused("签名无效或时间戳过期")
    if (refusal := await _replayed(request, resources, timestamp, sign)) is not None:
        return refusal
    data = await _body(request)
    if data is None:
        return web.json_response({"errcode": 400, "errmsg": "请求体不是 JSON 对象"}, status=400)
    try:
        event = parse_bot_message(data)
    except PayloadError as exc:
        log.warning("dingtalk robot callback without %s ignored", exc)
        return web.json_response({"errcode": 400, "errmsg": "消息缺少必要字段"}, status=400)
    if event is not None:
        await dispatch_once(resources, _router(request).handle, event)
    return web.json_response({})  # replies go out through the outbox


def _spawn(
    app: web.Application, resources: Resources, event: Event, handle: Any
) -> asyncio.Task[Reply | None]:
    task: asyncio.Task[Reply | None] = asyncio.create_task(dispatch_once(resources, handle, event))
    pending = app[BACKGROUND]
    pending.add(task)
    task.add_done_callback(pending.discard)
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task[Reply | None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("dingtalk card callback failed", exc_info=task.exception())


async def card_callback(request: web.Request) -> web.Response:
    """A card button tap; answered within 2 s whatever the router takes."""
    resources = request.app[RESOURCES]
    secret = resources.settings.dingtalk_client_secret or ""
    ts, signature = (
        request.headers.get("x-ddpaas-signature-timestamp"),
        request.headers.get("x-ddpaas-signature"),
    )
    if (
        not verify_card_callback(ts, signature, secret, resources.clock.now())
        or ts is None
        or signature is None
    ):
        log.warning("dingtalk card callback refused: bad signature or stale timestamp")
        return _refused("签名无效或时间戳过期")
    if (refusal := await _replayed(request, resources, ts, signature)) is not None:
        return refusal
    data = await _body(request)
    if data is None:
        return web.json_response({"errcode": 400, "errmsg": "请求体不是 JSON 对象"}, status=400)
    try:
        event = parse_card_callback(data)
    except PayloadError as exc:
        log.warning("dingtalk card callback ignored: %s", exc)
        return web.json_response(CARD_ANSWER)
    task = _spawn(request.app, resources, event, _router(request).handle)
    await answer_within(task)
    return web.json_response(CARD_ANSWER)


async def register_card_callback(resources: Resources) -> bool:
    """Point DingTalk's card callbacks (route key ``tiji``) at ``{public_url}/dingtalk/card``."""
    public_url = resources.settings.public_url
    if not public_url:
        log.error("TIJI_PUBLIC_URL is not set: DingTalk card callbacks cannot be registered")
        return False
    body = {
        "callbackRouteKey": CALLBACK_ROUTE_KEY,
        "callbackUrl": f"{public_url.rstrip('/')}{CARD_PATH}",
        "apiSecret": resources.settings.dingtalk_client_secret,
        "forceUpdate": True,
    }
    try:
        await DingTalkClient(resources).api("POST", "/v1.0/card/callbacks/register", body, scope=CARD_SCOPE)
    except DingTalkError as exc:
        log.error("could not register the DingTalk card callback: %s", exc)
        return False
    log.info("DingTalk card callback registered at %s", body["callbackUrl"])
    return True


async def _lifecycle(app: web.Application) -> AsyncIterator[None]:
    """Register the card callback route at start (in the background); finish pending taps at stop."""
    background: set[asyncio.Task[Reply | None]] = set()
    app[BACKGROUND] = background
    registration = asyncio.create_task(register_card_callback(app[RESOURCES]))
    yield
    # Cancelled tasks are awaited, not just cancelled: a task stopped inside a Redis or HTTP call
    # releases its connection only when it runs to its end, before the clients are closed.
    registration.cancel()
    pending = set(background)
    if pending:
        _, late = await asyncio.wait(pending, timeout=10)
        for task in late:
            task.cancel()
        pending = late
    await asyncio.gather(registration, *pending, return_exceptions=True)


def add_routes(app: web.Application) -> None:
    app.router.add_post(ROBOT_PATH, robot_callback)
    app.router.add_post(CARD_PATH, card_callback)
    app.cleanup_ctx.append(_lifecycle)
