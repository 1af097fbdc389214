"""The one error middleware: every refusal and failure is answered with a Chinese message —
JSON ``{"ok": false, "message": …}`` on API routes (a path with an ``/api/`` segment, or a client
that does not ask for HTML), plain text otherwise.

Malformed input is a 4xx wherever it surfaces; the handlers refuse it at the cause
(``bot.web.api``, ``bot.web.inputs``), and this is the last net for what slips past them, logged
so it can be fixed there. A genuine failure of ours stays a 500, logged with its traceback.

A handler refuses with ``ApiError(status, message)`` (or ``InputError`` for a 400) to give words of
its own; an aiohttp HTTP error (404, 405, 413 …) is answered with its status's words below.
"""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Mapping
from http import HTTPStatus

import aiohttp_jinja2
from aiohttp import hdrs, web
from aiohttp.typedefs import Handler
from pydantic import ValidationError

from bot.web.api import ApiError, validation_message
from bot.web.inputs import InputError

log = logging.getLogger(__name__)

# Exceptions that mean the request itself was malformed (undecodable text, JSON nested past the
# parser's limit), whichever code met them first.
MALFORMED_INPUT: tuple[type[Exception], ...] = (UnicodeError, RecursionError, json.JSONDecodeError)

STATUS_MESSAGES: Mapping[int, str] = {
    400: "请求格式不对，请检查后重试",
    401: "请先登录",
    403: "没有权限访问",
    404: "没有这个地址",
    405: "这个地址不支持 {method} 请求",
    408: "请求超时，请重试",
    411: "请求缺少长度（Content-Length）",
    413: "请求内容太大",
    414: "地址太长",
    415: "不支持这种内容类型（Content-Type）",
    422: "请求内容无法处理，请检查后重试",
    429: "请求太频繁，请稍后再试",
}
OTHER_CLIENT_ERROR = "请求有误（{status}），请检查后重试"
INTERNAL_ERROR = "服务器内部错误，已记录，请稍后再试"
PAGES_PREFIX = "/m/"
CONSOLE_PREFIX = "/admin"
PUBLIC_PREFIX = "/public/"
ERROR_TEMPLATE = "pages/error.html.j2"
CONSOLE_ERROR_TEMPLATE = "console/error.html.j2"
PUBLIC_ERROR_TEMPLATE = "public/error.html.j2"
# The heading of a phone page's error, by status (the message below it says what to do).
PAGE_TITLES: Mapping[int, str] = {
    400: "填写有误",
    401: "请先登录",
    403: "没有权限",
    404: "没有找到",
    413: "内容太大",
    429: "操作太频繁",
}
# An HTTP error raised by aiohttp keeps these headers (405's Allow, 401's WWW-Authenticate …).
_DROPPED_HEADERS = frozenset({hdrs.CONTENT_TYPE, hdrs.CONTENT_LENGTH, hdrs.CONTENT_ENCODING})


class PageError(Exception):
    """Raised by a page handler to answer with the Chinese error page: ``title`` as heading,
    ``message`` saying what happened and what to do."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(f"{status} {title}: {message}")
        self.status = status
        self.title = title
        self.message = message


def render_error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    """The error page: the console's (``templates/console/error.html.j2``) under ``/admin``, the
    public pages' (``templates/public/error.html.j2``) under ``/public/``, else the phone pages'
    (``templates/pages/error.html.j2``)."""
    template = ERROR_TEMPLATE
    if request.path.startswith(CONSOLE_PREFIX):
        template = CONSOLE_ERROR_TEMPLATE
    elif request.path.startswith(PUBLIC_PREFIX):
        template = PUBLIC_ERROR_TEMPLATE
    return aiohttp_jinja2.render_template(
        template, request, {"title": title, "message": message, "status": status}, status=status
    )


def wants_page(request: web.Request) -> bool:
    """Whether an error goes out as the HTML error page: a browser on a phone page (``/m/…``), on
    the console (``/admin…``) or on a public page (``/public/…``)."""
    on_pages = request.path.startswith((PAGES_PREFIX, CONSOLE_PREFIX, PUBLIC_PREFIX))
    return on_pages and not wants_json(request)


def wants_json(request: web.Request) -> bool:
    """Whether an error goes out as JSON: always on an ``/api/`` path, else unless a browser
    navigates here (it asks for ``text/html``)."""
    if "/api/" in request.path + "/":
        return True
    return "text/html" not in request.headers.get(hdrs.ACCEPT, "")


def error_response(
    request: web.Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> web.Response:
    """``message`` with ``status``, as JSON, the error page or plain text (see ``wants_json``)."""
    if wants_page(request):
        title = PAGE_TITLES.get(
            status, "出错了" if status >= HTTPStatus.INTERNAL_SERVER_ERROR else "请求有误"
        )
        response = render_error_page(request, status, title, message)
        response.headers.update(headers or {})
        return response
    if wants_json(request):
        return web.json_response({"ok": False, "message": message}, status=status, headers=headers)
    return web.Response(status=status, text=message, charset="utf-8", headers=headers)


def status_message(status: int, method: str) -> str:
    """The Chinese words for an HTTP error status aiohttp raised (its own texts are English)."""
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return INTERNAL_ERROR
    template = STATUS_MESSAGES.get(status, OTHER_CLIENT_ERROR)
    return template.format(method=method, status=status)


def _http_error(request: web.Request, exc: web.HTTPException) -> web.Response:
    headers = {k: v for k, v in exc.headers.items() if k not in _DROPPED_HEADERS}
    return error_response(request, exc.status, status_message(exc.status, request.method), headers)


def _where(request: web.Request) -> str:
    return f"{request.method} {request.path[:200]}"


def answer_for(request: web.Request, exc: Exception) -> web.Response:
    """The answer to what a handler raised (other than an aiohttp HTTP error)."""
    if isinstance(exc, PageError):
        return render_error_page(request, exc.status, exc.title, exc.message)
    if isinstance(exc, ApiError):
        return error_response(request, exc.status, exc.message)
    if isinstance(exc, InputError):
        return error_response(request, 400, str(exc))
    if isinstance(exc, ValidationError):
        return error_response(request, 400, validation_message(exc))
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        # A path longer than the file system takes: aiohttp's static files pass it on as it came.
        log.info("%s: file name too long, answered 414", _where(request))
        return error_response(request, 414, STATUS_MESSAGES[414])
    if isinstance(exc, MALFORMED_INPUT):
        log.warning(
            "%s: malformed input reached %s, answered 400; refuse it where it is read",
            _where(request),
            type(exc).__name__,
            exc_info=exc,
        )
        return error_response(request, 400, STATUS_MESSAGES[400])
    log.error("%s failed", _where(request), exc_info=exc)
    return error_response(request, 500, INTERNAL_ERROR)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn what a handler raises into a Chinese answer: refusals and malformed input into their
    4xx, anything else into a logged 500. Redirects and other non-errors pass through."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < HTTPStatus.BAD_REQUEST:
            raise
        return _http_error(request, exc)
    except ConnectionResetError:  # the client went away: nobody to answer
        raise
    except Exception as exc:
        return answer_for(request, exc)
