"""CSRF protection of the pages' forms: one random token per session, sent back by every form
(the hidden input ``csrf``, ``csrf_field()`` in a template) or by a page's script (the
``X-CSRF-Token`` header), and compared in constant time before a POST changes anything."""

from __future__ import annotations

import secrets
from collections.abc import Mapping

import aiohttp_session
from aiohttp import web

from bot.web.errors import PageError
from bot.web.sessions import SESSION, get_session

TOKEN_KEY = "csrf"  # noqa: S105 -- the session key under which the token is kept, not a secret
FIELD_NAME = "csrf"
HEADER_NAME = "X-CSRF-Token"


def _loaded_session(request: web.Request) -> aiohttp_session.Session:
    session = request.get(SESSION)
    if not isinstance(session, aiohttp_session.Session):
        raise RuntimeError("the session is not loaded: render pages with bot.web.pages.render_page")
    return session


def csrf_token(request: web.Request) -> str:
    """The session's token (made on first use). The session must be loaded already, as
    ``render_page`` and ``check_csrf`` do."""
    session = _loaded_session(request)
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[TOKEN_KEY] = token
    return token


async def check_csrf(request: web.Request, form: Mapping[str, object]) -> None:
    """Refuse (403, a Chinese page) a request whose form field ``csrf`` (or ``X-CSRF-Token``
    header) is not the session's token."""
    session = await get_session(request)
    expected = session.get(TOKEN_KEY)
    sent = form.get(FIELD_NAME) or request.headers.get(HEADER_NAME, "")
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected:
        raise PageError(403, "页面已过期", "安全校验没有通过。请刷新页面后重新提交。")
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise PageError(403, "页面已过期", "安全校验没有通过。请刷新页面后重新提交。")
