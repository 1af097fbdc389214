"""``/wecom/callback``: URL verification (GET) and messages/card clicks (POST).

POST order: timestamp window → signature (constant time) → decrypt (CorpID check) → defused XML
parse → fast dedupe in Redis → ResponseCode saved with the card → ``Router.handle``. WeCom
re-sends what is not answered with HTTP 200 within 5 s, so the handling runs as a task of its
own: the answer waits for it at most ``HANDLE_BUDGET`` seconds, then goes out anyway while the
task finishes (it is kept on the app and awaited at shutdown). Every rejected request gets the
same answer; only the log says which check failed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging

from aiohttp import web

from bot.events import CardAction, EventSink
from bot.messengers.wecom.crypto import CallbackRejected, WeComCrypto
from bot.messengers.wecom.parse import Inbound, parse_envelope, parse_message
from bot.runtime.resources import RESOURCES, ROUTER, Resources
from bot.runtime.seen import forget_seen, seen_once
from bot.settings import Settings
from models.cards import CardInstance

log = logging.getLogger(__name__)

PATH = "/wecom/callback"
HANDLE_BUDGET = 4.0  # seconds; WeCom gives up and re-sends after 5
TIMESTAMP_WINDOW = 300  # seconds either way
SHUTDOWN_WAIT = 15.0
PENDING = web.AppKey("wecom_pending", set[asyncio.Task[None]])


def _rejected() -> web.Response:
    return web.Response(status=400, text="invalid request")


def _ok() -> web.Response:
    return web.Response(status=200, text="")


def crypto_for(settings: Settings) -> WeComCrypto:
    if not (settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id):
        raise CallbackRejected("TIJI_WECOM_TOKEN / TIJI_WECOM_AES_KEY / TIJI_WECOM_CORP_ID not configured")
    try:
        return WeComCrypto(settings.wecom_token, settings.wecom_aes_key, settings.wecom_corp_id)
    except ValueError:
        raise CallbackRejected("TIJI_WECOM_AES_KEY is malformed") from None


async def verify_url(request: web.Request) -> web.Response:
    """GET: answer the decrypted ``echostr`` as the bare body."""
    resources = request.app[RESOURCES]
    try:
        query = request.query
        missing = [k for k in ("msg_signature", "timestamp", "nonce", "echostr") if not query.get(k)]
        if missing:
            raise CallbackRejected(f"missing {', '.join(missing)}")
        crypto = crypto_for(resources.settings)
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
    """POST: verify, parse, dedupe, apply; always HTTP 200 for a genuine callback."""
    resources = request.app[RESOURCES]
    try:
        query = request.query
        missing = [k for k in ("msg_signature", "timestamp", "nonce") if not query.get(k)]
        if missing:
            raise CallbackRejected(f"missing {', '.join(missing)}")
        _check_timestamp(query["timestamp"], resources.clock.now())
        crypto = crypto_for(resources.settings)
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
    if not await seen_once(resources.redis, inbound.dedupe_key):
        log.info("wecom duplicate delivery %s ignored", inbound.dedupe_key)
        return _ok()

    task = asyncio.create_task(_apply(resources, request.app[ROUTER], inbound))
    pending = request.app[PENDING]
    pending.add(task)
    task.add_done_callback(pending.discard)
    try:
        await asyncio.wait_for(asyncio.shield(task), HANDLE_BUDGET)
    except TimeoutError:
        log.warning("wecom %s still being handled after %ss; answered now", inbound.dedupe_key, HANDLE_BUDGET)
    except Exception:
        # Not bad input (the router answers that itself) but a failure of ours, e.g. the database:
        # a non-200 makes WeCom deliver it again, and the dedupe mark was released for that.
        return web.Response(status=500, text="")
    return _ok()


async def _apply(resources: Resources, router: EventSink, inbound: Inbound) -> None:
    event = inbound.event
    if event is None:  # receive() schedules only callbacks that carry an event
        return
    try:
        if isinstance(event, CardAction):
            event = await _with_card(resources, event, inbound)
        reply = await router.handle(event)
        log.info("wecom %s handled: ok=%s", inbound.dedupe_key, reply.ok)
    except Exception:
        log.exception("wecom %s failed", inbound.dedupe_key)
        await forget_seen(resources.redis, inbound.dedupe_key)
        raise


# The click's code is merged into the card's stored state by the database in one statement: no
# read-modify-write, so no transaction or row lock of our own (a concurrent writer of the state,
# e.g. the delivery of the card's update, is merged with, not overwritten).
MERGE_STATE = {
    "postgres": 'UPDATE "card_instance" SET "platform_state" = COALESCE("platform_state", \'{}\'::jsonb) || $1::jsonb'
    ' WHERE "ref" = $2 RETURNING "id"',
    "sqlite": 'UPDATE "card_instance" SET "platform_state" = json_patch(COALESCE("platform_state", \'{}\'), ?)'
    ' WHERE "ref" = ? RETURNING "id"',
}


async def _with_card(resources: Resources, action: CardAction, inbound: Inbound) -> CardAction:
    """Map the task id back to the card, and keep the click's ResponseCode with it (the update
    that follows the decision needs it). The usual click costs one statement."""
    state = {
        "response_code": inbound.response_code,
        "response_code_at": resources.clock.now().isoformat(),
        "response_task_id": inbound.task_id,
    }
    if inbound.response_code:
        if await _merge_state(action.card_ref, state):
            return action
    elif await CardInstance.filter(ref=action.card_ref).exists():
        return action
    mapped = await resources.redis.get(f"wecom:taskref:{action.card_ref}")
    if not mapped:
        return action  # no such card: the router answers that
    if inbound.response_code:
        await _merge_state(mapped, state)
    return dataclasses.replace(action, card_ref=mapped)


async def _merge_state(ref: str, state: dict[str, str]) -> bool:
    """False when no card has ``ref``."""
    db = CardInstance._meta.db
    sql = MERGE_STATE["postgres" if db.capabilities.dialect == "postgres" else "sqlite"]
    return bool(await db.execute_query_dict(sql, [json.dumps(state, ensure_ascii=False), ref]))


async def _drain(app: web.Application) -> None:
    tasks: set[asyncio.Task[None]] = app[PENDING]
    pending = list(tasks)
    if pending:
        log.info("waiting for %s wecom callback(s) still being handled", len(pending))
        await asyncio.wait(pending, timeout=SHUTDOWN_WAIT)


def setup_routes(app: web.Application) -> None:
    tasks: set[asyncio.Task[None]] = set()
    app[PENDING] = tasks
    app.router.add_get(PATH, verify_url)
    app.router.add_post(PATH, receive)
    app.on_shutdown.append(_drain)
