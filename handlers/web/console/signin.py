"""``/admin/signin``: signing in to the console — WeCom's or DingTalk's web (QR) login from a
desktop browser, or a local account's username and password (``tiji user add``); ``/admin/signout``.

Each sign-in starts a new session (``bot.web.sessions``). A platform sign-in needs a person with a
console role; a local account locks for 15 minutes after 5 wrong passwords, and an unknown username
is answered exactly as a wrong password is (and locks the same way).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from aiohttp import web

from bot.messengers.dingtalk import web_login as dingtalk_login
from bot.messengers.wecom import web_login as wecom_login
from bot.org.accounts import LOCKOUT, MAX_FAILURES, WRONG, SignInResult, locked_message, sign_in_with_password
from bot.outbound import DeliveryError
from bot.runtime.resources import RESOURCES
from bot.web.console import CONSOLE_SIGNIN, console_roles, current_viewer, render_console, safe_console_next
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.sessions import get_session, sign_in, sign_in_account, sign_out
from handlers.web.pages.signin import base_url, person_of
from models.org import Person

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

STATE_KEY = "console_signin_state"
NEXT_KEY = "console_signin_next"
UNKNOWN_KEY = "tiji:console:unknown-user:"
MAX_USERNAME = 64
CODE_TROUBLE = "登录凭证无效或已过期（它只能用一次、5 分钟内有效）。请回到登录页重新扫码。"
STALE = "登录请求已失效（可能在另一个窗口登录过）。请回到登录页重新开始。"


async def _page(
    request: web.Request, next_path: str, *, error: str = "", username: str = "", status: int = 200
) -> web.Response:
    settings = request.app[RESOURCES].settings
    context = {
        "viewer": None,
        "next": next_path,
        "wecom": settings.wecom_enabled,
        "dingtalk": settings.dingtalk_enabled,
        "simulator": settings.simulator,
        "error": error,
        "username": username,
    }
    return await render_console(request, "console/signin.html.j2", context, status=status)


@routes.get("/admin/signin")
async def signin_page(request: web.Request) -> web.Response:
    """The ways to sign in; a viewer already signed in goes straight on."""
    next_path = safe_console_next(request.query.get("next"))
    if await current_viewer(request) is not None:
        raise web.HTTPFound(next_path)
    return await _page(request, next_path)


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


@routes.post("/admin/signin")
async def signin_local(request: web.Request) -> web.Response:
    """A local account's username and password."""
    form = await posted(request)
    await check_csrf(request, form)
    resources = request.app[RESOURCES]
    username = _text(form.get("username"), MAX_USERNAME * 4).strip()
    password = _text(form.get("password"), 1024)
    next_path = safe_console_next(form.get("next"))
    now = resources.clock.now()
    locked_unknown = await _unknown_lock(request, username, now, count=False)
    if locked_unknown is not None:
        return await _page(request, next_path, error=locked_message(locked_unknown, resources.settings.tz),
                           username=username, status=429)  # fmt: skip
    attempt = await sign_in_with_password(username[:MAX_USERNAME], password, now=now)
    if attempt.result is SignInResult.OK and attempt.account is not None:
        await sign_in_account(request, attempt.account)
        log.info("console account %s signed in", attempt.account.id)
        raise web.HTTPFound(next_path)
    until = attempt.locked_until
    if attempt.result is SignInResult.UNKNOWN:
        until = await _unknown_lock(request, username, now, count=True)
    if until is not None:
        message = locked_message(until, resources.settings.tz)
        return await _page(request, next_path, error=message, username=username, status=429)
    return await _page(request, next_path, error=WRONG, username=username, status=401)


async def _unknown_lock(
    request: web.Request, username: str, now: dt.datetime, *, count: bool
) -> dt.datetime | None:
    """Failures of a username that has no account are counted in Redis, so it locks after the same
    number of tries as a real one (the answer never tells which). The lock's end, or None."""
    redis = request.app[RESOURCES].redis
    key = UNKNOWN_KEY + hashlib.sha256(username.casefold().encode()).hexdigest()
    if count:
        failures = int(await redis.incr(key))
        if failures == 1:
            await redis.expire(key, int(LOCKOUT.total_seconds()))
    else:
        failures = int(await redis.get(key) or 0)
    if failures < MAX_FAILURES:
        return None
    ttl = int(await redis.ttl(key))
    return now + dt.timedelta(seconds=max(ttl, 1))


async def _start_platform(request: web.Request, provider: str) -> web.Response:
    """Off to the platform's login page, with a fresh ``state`` kept in the session."""
    settings = request.app[RESOURCES].settings
    session = await get_session(request)
    state = secrets.token_urlsafe(16)
    session[STATE_KEY] = state
    session[NEXT_KEY] = safe_console_next(request.query.get("next"))
    back = f"{base_url(request, settings)}{CONSOLE_SIGNIN}/{provider}"
    if provider == "wecom":
        raise web.HTTPFound(wecom_login.login_url(settings, redirect_uri=back, state=state))
    raise web.HTTPFound(dingtalk_login.login_url(settings, redirect_uri=back, state=state))


async def _came_back(request: web.Request) -> str:
    """The ``next`` of a platform login coming back with our ``state`` (else the stale page)."""
    session = await get_session(request)
    expected = session.pop(STATE_KEY, None)
    next_path = safe_console_next(session.pop(NEXT_KEY, None))
    sent = request.query.get("state", "")
    if not isinstance(expected, str) or not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PageError(400, "登录已失效", STALE)
    return next_path


async def _signed_in(request: web.Request, person: Person, next_path: str) -> web.Response:
    if not console_roles(person.roles):
        raise PageError(
            403,
            "没有管理后台权限",
            f"你的账号（{person.name}）没有管理后台的权限。如需开通，请联系活动办公室。",
        )
    await sign_in(request, person)
    log.info("person %s signed in to the console", person.id)
    raise web.HTTPFound(next_path)


@routes.get("/admin/signin/wecom")
async def signin_wecom(request: web.Request) -> web.Response:
    """Start WeCom's web login, or finish it (back with ``code`` and ``state``)."""
    resources = request.app[RESOURCES]
    if not resources.settings.wecom_enabled:
        raise PageError(400, "未配置企业微信", "本系统没有配置企业微信登录，请用其他方式登录。")
    code = request.query.get("code")
    if not code:
        return await _start_platform(request, "wecom")
    next_path = await _came_back(request)
    try:
        userid = await wecom_login.userid_for_code(resources, code[:512])
    except DeliveryError as exc:
        log.warning("wecom console sign-in code refused: %s", exc)
        raise PageError(400, "登录没有成功", CODE_TROUBLE) from None
    return await _signed_in(request, await person_of("wecom_userid", userid, "企业微信"), next_path)


@routes.get("/admin/signin/dingtalk")
async def signin_dingtalk(request: web.Request) -> web.Response:
    """Start DingTalk's web login, or finish it (back with ``authCode`` and ``state``)."""
    resources = request.app[RESOURCES]
    if not resources.settings.dingtalk_enabled:
        raise PageError(400, "未配置钉钉", "本系统没有配置钉钉登录，请用其他方式登录。")
    code = request.query.get("authCode") or request.query.get("code")
    if not code:
        return await _start_platform(request, "dingtalk")
    next_path = await _came_back(request)
    try:
        userid = await dingtalk_login.userid_for_code(resources, code[:512])
    except DeliveryError as exc:
        log.warning("dingtalk console sign-in code refused: %s", exc)
        raise PageError(400, "登录没有成功", CODE_TROUBLE) from None
    return await _signed_in(request, await person_of("dingtalk_userid", userid, "钉钉"), next_path)


@routes.post("/admin/signout")
async def signout(request: web.Request) -> web.Response:
    """End the session and go back to the sign-in page."""
    form = await posted(request)
    await check_csrf(request, form)
    await sign_out(request)
    raise web.HTTPFound(CONSOLE_SIGNIN)
