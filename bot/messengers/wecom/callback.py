"""``/wecom/callback``: URL verification (GET) and messages/card clicks (POST).

POST order: timestamp window → signature (constant time) → decrypt (CorpID check) → defused XML
parse → the event stored (``bot.inbound.accept``: one INSERT, which is the dedupe) → HTTP 200 →
a wake-up for the worker. The router runs in the worker, not in the request: WeCom re-sends what
is not answered with 200 within 5 s, and a 200 is given only once the event is committed (the
database down is a 500, so WeCom delivers it again). Every rejected request gets the same
answer; only the log says which check failed. The worker's WeCom step before the router (the
card's task id mapped back, the click's ResponseCode kept) is ``bot.messengers.wecom.inbound``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging

from aiohttp import web

from bot.events import CardAction
from bot.inbound.accept import accept
from bot.inbound.waker import Waker
from bot.messengers.wecom.crypto import CallbackRejected, WeComCrypto
from bot.messengers.wecom.parse import Inbound, parse_envelope, parse_message
from bot.runtime.resources import RESOURCES
from bot.settings import Settings

log = logging.getLogger(__name__)

PATH = "/wecom/callback"
TIMESTAMP_WINDOW = 300  # seconds either way
SHUTDOWN_WAIT = 5.0  # seconds for the wake-up still being sent
WAKER = web.AppKey("wecom_waker", Waker)
# The app's WeComCrypto, made on the first callback and kept (its AES cipher with it): the
# settings it is made of do not change while the process runs.
CRYPTO = web.AppKey("wecom_crypto", list[WeComCrypto])


def _rejected() -> web.Response:
    return web.Response(status=400, text="invalid request")


def _ok() -> web.Response:
    return web.Response(status=200, text="")


def crypto_for(settings: Settings) -> WeComCrypto:
    """A WeComCrypto of the configured app; ``CallbackRejected`` when it is not configured."""
    if not (settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id):
        raise CallbackRejected("TIJI_WECOM_TOKEN / TIJI_WECOM_AES_KEY / TIJI_WECOM_CORP_ID not configured")
    try:
        return WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    except ValueError:
        raise CallbackRejected("TIJI_WECOM_AES_KEY is malformed") from None


def _crypto(request: web.Request, settings: Settings) -> WeComCrypto:
    kept = request.app[CRYPTO]
    if not kept:
        kept.append(crypto_for(settings))
    return kept[0]


async def verify_url(request: web.Request) -> web.Response:
    """GET: answer the decrypted ``echostr`` as the bare body."""
    resources = request.app[RESOURCES]
    try:
        query = request.query
        missing = [k for k in ("msg_signature", "timestamp", "nonce", "echostr") if not query.get(k)]
        if missing:
            raise CallbackRejected(f"missing {', '.join(missing)}")
        crypto = _crypto(request, resources.settings)
        plaintext = crypto.decrypt(
            query["msg_signature"], query["timestamp"], query["nonce"], query["echostr"]
        )
    except CallbackRejected as exc:
        log.warning("wecom URL verification rejected: %s", exc.reason)
        return _rejected()
    log.info("wecom URL verification answered")
    return web.Response(status=200, body=plaintext.encode(), content_type="text/plain")


def _check_timestamp(raw: str, now: dt.datetime) -> None:
    try:
        ts = int(raw)
    except ValueError:
        raise CallbackRejected("timestamp is not a number") from None
    # Integer arithmetic: a timestamp of hundreds of digits is too large for a float.
    if abs(int(now.timestamp()) - ts) > TIMESTAMP_WINDOW:
        raise CallbackRejected(f"timestamp {ts} outside ±{TIMESTAMP_WINDOW}s")


async def receive(request: web.Request) -> web.Response:
    """POST: verify, parse, store (the dedupe); HTTP 200 for a genuine callback once it is stored."""
    resources = request.app[RESOURCES]
    try:
        query = request.query
        missing = [k for k in ("msg_signature", "timestamp", "nonce") if not query.get(k)]
        if missing:
            raise CallbackRejected(f"missing {', '.join(missing)}")
        _check_timestamp(query["timestamp"], resources.clock.now())
        crypto = _crypto(request, resources.settings)
        envelope = parse_envelope(await request.read())
        plaintext = crypto.decrypt(
            query["msg_signature"], query["timestamp"], query["nonce"], envelope.encrypt
        )
        inbound = parse_message(plaintext)
    except CallbackRejected as exc:
        log.warning("wecom callback rejected: %s", exc.reason)
        return _rejected()

    if inbound.event is None:
        log.info(
            "wecom %s/%s from %s acknowledged, nothing to do",
            inbound.msg_type,
            inbound.event_name,
            inbound.from_user,
        )
        return _ok()
    try:
        stored = await accept(resources.clock, inbound.event, _extras(inbound, resources.clock.now()))
    except Exception:
        # The database is away (or failing): no 200 before the event is stored, so WeCom re-sends.
        log.exception("wecom %s not stored; answered 500 for a re-delivery", inbound.dedupe_key)
        return web.Response(status=500, text="")
    if not stored:
        log.info("wecom duplicate delivery %s ignored", inbound.dedupe_key)
        return _ok()
    # After the answer is decided, off the response's path (a slow Redis must not delay the 200).
    request.app[WAKER].nudge(resources.redis)
    return _ok()


def _extras(inbound: Inbound, now: dt.datetime) -> dict[str, str]:
    """What ``bot.messengers.wecom.inbound.prepare`` needs of a click besides the neutral event."""
    if not isinstance(inbound.event, CardAction):
        return {}
    return {
        "task_id": inbound.task_id,
        "response_code": inbound.response_code,
        "response_code_at": now.isoformat(),
    }


async def _drain(app: web.Application) -> None:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(SHUTDOWN_WAIT):
            await app[WAKER].drain()


def setup_routes(app: web.Application) -> None:
    app[WAKER] = Waker()
    app[CRYPTO] = []
    app.router.add_get(PATH, verify_url)
    app.router.add_post(PATH, receive)
    app.on_shutdown.append(_drain)
