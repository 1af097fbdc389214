"""``/m/signin``: sign in where the person already is — WeCom's OAuth2 redirect, DingTalk's free
login (``dd.requestAuthCode`` in the page, the code posted here), or the simulator's
“以此身份打开”. Afterwards the browser goes on to ``next`` (a ``/m/…`` path).

Which one: ``?via=wecom|dingtalk|sim`` (the cards' links say it), else the platform's in-app
browser (its user agent), else the only platform configured.
"""

from __future__ import annotations

import logging
import secrets
from enum import StrEnum

from aiohttp import web

from bot.messengers.dingtalk import h5_login
from bot.messengers.wecom import oauth
from bot.outbound import DeliveryError
from bot.runtime.resources import RESOURCES
from bot.settings import Settings
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import current_person, get_session, safe_next, sign_in
from models.org import Person

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

STATE_KEY = "signin_state"
NEXT_KEY = "signin_next"
CODE_TROUBLE = "登录凭证无效或已过期（它只能用一次、5 分钟内有效）。请关闭本页，从卡片或工作台重新打开。"


class Via(StrEnum):
    WECOM = "wecom"
    DINGTALK = "dingtalk"
    SIM = "sim"


def which(request: web.Request, settings: Settings) -> Via | None:
    """The sign-in to use for this browser."""
    asked = request.query.get("via", "")
    if asked in Via.__members__.values():
        return Via(asked)
    agent = request.headers.get("User-Agent", "")
    if "wxwork" in agent.lower():
        return Via.WECOM
    if "dingtalk" in agent.lower():
        return Via.DINGTALK
    if settings.wecom_enabled and not settings.dingtalk_enabled:
        return Via.WECOM
    if settings.dingtalk_enabled and not settings.wecom_enabled:
        return Via.DINGTALK
    return Via.SIM if settings.simulator else None


def base_url(request: web.Request, settings: Settings) -> str:
    """Where WeCom sends the browser back to: ``TIJI_PUBLIC_URL`` (its domain is the app's
    可信域名), or this request's own origin when none is set (the simulator, a test)."""
    return (settings.public_url or f"{request.scheme}://{request.host}").rstrip("/")


async def person_of(field: str, userid: str | None, platform: str) -> Person:
    """The active person with this platform userid, else the Chinese page saying why not."""
    if userid is None:
        raise PageError(403, "不是本单位成员", f"你登录的{platform}账号不是本单位的成员，无法使用提级。")
    people = await Person.filter(**{field: userid}).order_by("id")
    active = [p for p in people if p.active]
    if active:
        return active[0]
    if people:
        raise PageError(
            403, "账号已停用", f"你在提级中的账号（{people[0].name}）已停用。如有疑问，请联系活动办公室。"
        )
    raise PageError(
        403,
        "不在组织架构中",
        f"你的{platform}账号（{userid}）不在提级的组织架构中。请联系活动办公室把你加入组织文件后再试。",
    )


async def _signed_in(request: web.Request, person: Person, next_path: str) -> web.Response:
    await sign_in(request, person)
    log.info("person %s signed in to the pages", person.id)
    raise web.HTTPFound(safe_next(next_path))


@routes.get("/m/signin")
async def signin(request: web.Request) -> web.Response:
    """Start (or, coming back from WeCom with ``code``, finish) the sign-in."""
    settings = request.app[RESOURCES].settings
    next_path = safe_next(request.query.get("next"))
    if await current_person(request) is not None and "code" not in request.query:
        raise web.HTTPFound(next_path)
    via = which(request, settings)
    if via is Via.WECOM and settings.wecom_enabled:
        return await _wecom(request, settings, next_path)
    if via is Via.DINGTALK and settings.dingtalk_enabled:
        context = {
            "corp_id": settings.dingtalk_corp_id or "",
            "client_id": settings.dingtalk_client_id,
            "next": next_path,
        }
        return await render_page(request, "pages/signin_dingtalk.html.j2", context)
    if settings.simulator:
        return await render_page(request, "pages/signin_sim.html.j2", {"next": next_path})
    raise PageError(400, "请在企业微信或钉钉中打开", "请从企业微信或钉钉里的卡片、工作台打开本页。")


async def _wecom(request: web.Request, settings: Settings, next_path: str) -> web.Response:
    session = await get_session(request)
    code = request.query.get("code")
    if code is None:
        state = secrets.token_urlsafe(16)
        session[STATE_KEY], session[NEXT_KEY] = state, next_path
        back = f"{base_url(request, settings)}/m/signin?via=wecom"
        raise web.HTTPFound(oauth.authorize_url(settings, redirect_uri=back, state=state))
    expected = session.pop(STATE_KEY, None)
    if not isinstance(expected, str) or not secrets.compare_digest(request.query.get("state", ""), expected):
        raise PageError(400, "登录已失效", "登录请求已失效。请关闭本页，从卡片或工作台重新打开。")
    try:
        userid = await oauth.userid_for_code(request.app[RESOURCES], code)
    except DeliveryError as exc:
        log.warning("wecom sign-in code refused: %s", exc)
        raise PageError(400, "登录没有成功", CODE_TROUBLE) from None
    person = await person_of("wecom_userid", userid, "企业微信")
    return await _signed_in(request, person, str(session.pop(NEXT_KEY, next_path)))


@routes.post("/m/signin/dingtalk")
async def signin_dingtalk(request: web.Request) -> web.Response:
    """The free-login code the page got from ``dd.requestAuthCode``."""
    settings = request.app[RESOURCES].settings
    form = await posted(request)
    await check_csrf(request, form)
    code = form.get("code")
    if not settings.dingtalk_enabled or not isinstance(code, str) or not code.strip():
        raise PageError(
            400, "登录没有成功", "没有收到钉钉的登录凭证。请关闭本页，从钉钉里的卡片或工作台重新打开。"
        )
    try:
        userid = await h5_login.userid_for_code(request.app[RESOURCES], code.strip())
    except DeliveryError as exc:
        log.warning("dingtalk sign-in code refused: %s", exc)
        raise PageError(400, "登录没有成功", CODE_TROUBLE) from None
    person = await person_of("dingtalk_userid", userid, "钉钉")
    return await _signed_in(request, person, str(form.get("next", "")))
