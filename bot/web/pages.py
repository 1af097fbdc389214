"""Render helpers of the phone pages (``/m/…``): templates under ``templates/pages/`` on
aiohttp-jinja2 with autoescape on, the CSRF field as a template global, the static files at
``/m/static/`` and the Chinese error pages.

A page handler::

    person = await signed_in_person(request)          # bot.web.sessions
    return await render_page(request, "pages/todo.html.j2", {"steps": steps})

and refuses with ``raise PageError(403, "没有权限", "…")`` (or ``return error_page(…)``). A form
carries ``{{ csrf_field() }}``; its POST handler calls ``await check_csrf(request, form)`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from markupsafe import Markup, escape

from bot.settings import Settings
from bot.web.csrf import FIELD_NAME, csrf_token
from bot.web.errors import PageError, render_error_page
from bot.web.sessions import current_person, get_session, setup_sessions

__all__ = ["PageError", "error_page", "render_page", "setup_pages"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "templates" / "pages" / "static"
STATIC_PREFIX = "/m/static"


@jinja2.pass_context
def csrf_field(context: jinja2.runtime.Context) -> Markup:
    """``{{ csrf_field() }}``: the hidden input with the session's CSRF token."""
    request: web.Request = context["request"]
    token = csrf_token(request)
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD_NAME, escape(token))


def static_url(name: str) -> str:
    """``{{ static_url('pages.css') }}``: a file of ``templates/pages/static/``."""
    return f"{STATIC_PREFIX}/{name}"


def setup_pages(app: web.Application, settings: Settings) -> None:
    """Sessions, the template globals and ``/m/static/`` (only that directory, no index)."""
    setup_sessions(app, settings)
    env = aiohttp_jinja2.get_env(app)
    env.globals["csrf_field"] = csrf_field
    env.globals["static_url"] = static_url
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="pages_static")


async def render_page(
    request: web.Request, template: str, context: Mapping[str, Any], status: int = 200
) -> web.Response:
    """``template`` (e.g. ``pages/matter.html.j2``, extending ``pages/base.html.j2``) with
    ``context``; ``viewer`` (the signed-in person or None) is added unless given."""
    await get_session(request)  # loaded, so csrf_field() can read and extend it
    full = {**context, "request": request}  # csrf_field() reads the session through it
    if "viewer" not in full:
        full["viewer"] = await current_person(request)
    return aiohttp_jinja2.render_template(template, request, full, status=status)


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    """The Chinese error page with ``status``: ``title`` as heading, ``message`` below it."""
    return render_error_page(request, status, title, message)
