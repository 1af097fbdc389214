"""Sessions of the phone pages: aiohttp-session with its data in Redis (the app's client), a
random id in a cookie that is ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when the public URL is
https, and expires (``Settings.session_hours``).

aiohttp-session gives the session object and the cookie handling; the middleware and the request
keys are ours (``web.RequestKey``: aiohttp warns about the library's plain string keys).

A session holds the signed-in person's id (or, for the console's local accounts, the account's
id) and the organisation id (and the CSRF token, see ``bot.web.csrf``). Sign-in always starts a new session id, so an id planted before sign-in is
worth nothing after it (session fixation).
"""

from __future__ import annotations

import json
import secrets
from typing import cast
from urllib.parse import quote, urlsplit

import aiohttp_session
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.runtime.resources import RESOURCES
from bot.settings import Settings
from bot.web.errors import PageError
from models.accounts import ConsoleAccount
from models.org import Person

COOKIE_NAME = "tiji_session"
KEY_PREFIX = "tiji:session:"
PERSON_KEY = "person_id"
ACCOUNT_KEY = "account_id"
ORGANISATION_KEY = "organisation_id"
SIGNIN_PATH = "/m/signin"
HOME_PATH = "/m/todo"
MAX_NEXT = 512  # characters of a ``next`` path; a longer one is not ours
# The platforms' callbacks (``/wecom/callback``, ``/dingtalk/robot`` …) carry no browser session:
# the session middleware lets them through untouched.
SESSIONLESS_PREFIXES = ("/wecom/", "/dingtalk/")


SESSION = web.RequestKey("session", aiohttp_session.Session)
STORAGE = web.RequestKey("session_storage", aiohttp_session.AbstractStorage)


class RedisSessionStorage(aiohttp_session.AbstractStorage):
    """aiohttp-session's storage on the app's Redis client (``Resources.redis``, which decodes
    replies to ``str``; aiohttp-session's own ``RedisStorage`` expects bytes). The client is taken
    from the request's app, so the storage can be set up before the resources are opened."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            cookie_name=COOKIE_NAME,
            max_age=round(settings.session_hours * 3600),
            path="/",
            secure=is_https(settings.public_url),
            httponly=True,
            samesite="Lax",
        )

    async def load_session(self, request: web.Request) -> aiohttp_session.Session:
        key = self.load_cookie(request)
        if key:
            raw = await request.app[RESOURCES].redis.get(KEY_PREFIX + str(key))
            if raw is not None:
                try:
                    data = json.loads(raw)
                except ValueError:
                    data = None
                if isinstance(data, dict):
                    return aiohttp_session.Session(
                        str(key),
                        data=cast(aiohttp_session.SessionData, data),
                        new=False,
                        max_age=self.max_age,
                    )
        return aiohttp_session.Session(None, data=None, new=True, max_age=self.max_age)

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: aiohttp_session.Session
    ) -> None:
        redis = request.app[RESOURCES].redis
        if session.empty:
            if session.identity is not None:
                await redis.delete(KEY_PREFIX + str(session.identity))
            self.save_cookie(response, "", max_age=session.max_age)
            return
        key = str(session.identity) if session.identity is not None else secrets.token_urlsafe(32)
        self.save_cookie(response, key, max_age=session.max_age)
        data = json.dumps(self._get_session_data(session))
        await redis.set(KEY_PREFIX + key, data, ex=session.max_age)


def is_https(public_url: str | None) -> bool:
    """Whether the pages are served behind TLS (then the cookie is ``Secure``)."""
    return bool(public_url) and urlsplit(public_url or "").scheme == "https"


def setup_sessions(app: web.Application, settings: Settings) -> None:
    """Add the session middleware (innermost: it saves what the handler changed; the platforms'
    callbacks pass by)."""
    storage = RedisSessionStorage(settings)

    @web.middleware
    async def session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(SESSIONLESS_PREFIXES):
            return await handler(request)
        request[STORAGE] = storage
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # a redirect after sign-in carries the new cookie
            await _save(request, exc)
            raise
        if isinstance(response, web.Response) and not response.prepared:
            await _save(request, response)
        return response

    app.middlewares.append(session_middleware)


async def _save(request: web.Request, response: web.StreamResponse) -> None:
    session = request.get(SESSION)
    if session is not None and session._changed:  # aiohttp-session's own middleware reads it so too
        await request[STORAGE].save_session(request, response, session)


async def get_session(request: web.Request) -> aiohttp_session.Session:
    """The request's session (loaded from Redis on first use; a new empty one if none)."""
    session = request.get(SESSION)
    if session is None:
        session = await request[STORAGE].load_session(request)
        request[SESSION] = session
    return session


async def _new_session(request: web.Request) -> aiohttp_session.Session:
    session = await request[STORAGE].new_session()
    request[SESSION] = session
    return session


async def _renewed_session(request: web.Request) -> aiohttp_session.Session:
    """A new session (a new id); the old one's data is dropped."""
    old = await get_session(request)
    if old.identity is not None:
        await request.app[RESOURCES].redis.delete(KEY_PREFIX + str(old.identity))
    return await _new_session(request)


async def sign_in(request: web.Request, person: Person) -> None:
    """Start a new session (a new id; the old one's data is dropped) for ``person``."""
    session = await _renewed_session(request)
    session[PERSON_KEY] = person.id
    session[ORGANISATION_KEY] = person.organisation_id


async def sign_in_account(request: web.Request, account: ConsoleAccount) -> None:
    """Start a new session for a console's local ``account`` (no person: the pages ``/m/…`` do
    not know it)."""
    session = await _renewed_session(request)
    session[ACCOUNT_KEY] = account.id
    session[ORGANISATION_KEY] = account.organisation_id


async def sign_out(request: web.Request) -> None:
    """End the session: its data is deleted and the cookie cleared."""
    session = await get_session(request)
    session.invalidate()


def safe_next(value: object) -> str:
    """Where to go after sign-in: a path of the pages (``/m/…``) or of the console (``/admin…``)
    and nothing else, so a link cannot send a freshly signed-in person to another site."""
    if (
        isinstance(value, str)
        and value.startswith(("/m/", "/admin"))
        and "\\" not in value
        and len(value) <= MAX_NEXT
    ):
        return value
    return HOME_PATH


def signin_url(next_path: str) -> str:
    """The sign-in page that comes back to ``next_path`` afterwards."""
    return f"{SIGNIN_PATH}?next={quote(next_path, safe='/')}"


async def current_person(request: web.Request) -> Person | None:
    """The session's person if there is one and they are still active in their organisation."""
    session = await get_session(request)
    person_id, organisation_id = session.get(PERSON_KEY), session.get(ORGANISATION_KEY)
    if not isinstance(person_id, int) or not isinstance(organisation_id, int):
        return None
    return await Person.get_or_none(id=person_id, organisation_id=organisation_id, active=True)


async def current_account(request: web.Request) -> ConsoleAccount | None:
    """The session's console account if there is one and it is still active."""
    session = await get_session(request)
    account_id, organisation_id = session.get(ACCOUNT_KEY), session.get(ORGANISATION_KEY)
    if not isinstance(account_id, int) or not isinstance(organisation_id, int):
        return None
    return await ConsoleAccount.get_or_none(id=account_id, organisation_id=organisation_id, active=True)


async def signed_in_person(request: web.Request) -> Person:
    """The active person of the session. Otherwise: a GET is sent to sign in and come back
    (``HTTPFound`` to ``/m/signin?next=…``); any other method gets the Chinese 401 page."""
    person = await current_person(request)
    if person is not None:
        return person
    if request.method in {"GET", "HEAD"}:
        raise web.HTTPFound(signin_url(request.path_qs))
    raise PageError(401, "请先登录", "登录已过期，请从卡片或工作台重新打开本页后再提交。")
