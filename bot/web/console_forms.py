"""The console's edit pages share this: reading a form, a row id from the path, today's date on the
app's clock, and saving a domain edit with its audit row in one transaction.

    change = await save_change(request, viewer, lambda: assign_section(...))

runs the edit and ``audit_change`` (before → after) together: a refused edit (``UserError`` /
``ValueError`` with a Chinese message) stores nothing and no audit row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_request import FileField
from multidict import MultiDictProxy
from tortoise.transactions import in_transaction

from bot.errors import UserError
from bot.org.changes import Change
from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer
from bot.web.console_audit import audit_change
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.inputs import decimal
from models.org import Role

EDIT_ROLES_NOTE = "只有活动办公室和管理员可以修改。"
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class Form:
    """A posted form: single values as text (a file or a missing field is ""), lists by ``all``."""

    values: dict[str, str]
    lists: dict[str, list[str]]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)

    def all(self, key: str) -> list[str]:
        return self.lists.get(key, [])


async def posted(request: web.Request) -> MultiDictProxy[str | bytes | bytearray | FileField]:
    """The POSTed body as a form; a body that is no form (a broken multipart, say) gets 400."""
    try:
        return await request.post()
    except (ValueError, HttpProcessingError):  # a multipart part's broken headers raise the latter
        raise PageError(400, "无法读取表单", "提交的内容无法识别。请刷新页面后重新提交。") from None


async def read_form(request: web.Request) -> Form:
    """The POSTed form, CSRF checked (403 without the session's token)."""
    body = await posted(request)
    await check_csrf(request, body)
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    for key, value in body.items():
        if isinstance(value, str):
            values.setdefault(key, value)
            lists.setdefault(key, []).append(value)
    return Form(values, lists)


def path_id(request: web.Request, name: str = "id") -> int:
    """A row id from the path; 404 for anything that is not one."""
    value = decimal(request.match_info.get(name, ""), MAX_ROW_ID)
    if value is None or value == 0:
        raise PageError(404, "没有找到", "没有这个页面，请从导航重新进入。")
    return value


def today(request: web.Request) -> dt.date:
    resources = request.app[RESOURCES]
    return resources.clock.now().astimezone(resources.settings.tz).date()


def now(request: web.Request) -> dt.datetime:
    return request.app[RESOURCES].clock.now()


def require_editor(viewer: ConsoleViewer) -> None:
    if not viewer.has(Role.OFFICE, Role.ADMIN):
        raise PageError(403, "没有权限", "你可以查看，但不能修改。" + EDIT_ROLES_NOTE)


async def save_change(
    request: web.Request, viewer: ConsoleViewer, edit: Callable[[], Awaitable[Change]]
) -> Change:
    """Run ``edit`` and audit what it changed, in one transaction (nothing stored when it raises)."""
    async with in_transaction():
        change = await edit()
        if change.changed:
            await audit_change(
                viewer.actor, viewer.organisation_id, change.what, change.before, change.after,
                subject=change.subject, at=now(request),
            )  # fmt: skip
    return change


def user_message(error: Exception) -> str:
    """The Chinese message of a refused edit."""
    return error.message if isinstance(error, UserError) else str(error)
