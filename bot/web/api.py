"""JSON API requests: the body read as UTF-8 JSON and validated by a pydantic model, cross-site
posts refused, and ``ApiError`` for a refusal (answered as ``{"ok": false, "message": …}`` by
``bot.web.errors``). A handler reads ``body = await json_body(request, Model)`` and then acts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel, ValidationError

from bot.runtime.resources import RESOURCES
from bot.web.inputs import InputError

Model = TypeVar("Model", bound=BaseModel)

NOT_UTF8 = "请求内容不是有效的 UTF-8 文本，请用 UTF-8 编码发送 JSON"
NOT_DECODABLE = "请求内容不是有效的 {charset} 文本，请用 UTF-8 编码发送 JSON"
UNKNOWN_CHARSET = "不认识字符集 {charset}，请用 UTF-8 编码发送 JSON"
NOT_JSON = '请求内容不是有效的 JSON，请发送 JSON 对象，如 {"from": "zhangsan", "text": "帮助"}'
TOO_DEEP = "请求内容嵌套太深，不是本接口能接受的 JSON"
NOT_OBJECT = "请求内容须是 JSON 对象（{…}），不是数组或单个值"
CROSS_SITE = "拒绝跨站请求：请从模拟器页面操作（或把 TIJI_PUBLIC_URL 设为本页的地址）"

# What a pydantic error type means, in words a user can act on; ``{field}`` is the field's path.
# Validators of our own raise ``InputError`` and their message is used instead.
ERROR_MESSAGES: Mapping[str, str] = {
    "missing": "缺少字段 {field}",
    "model_type": NOT_OBJECT,
    "model_attributes_type": NOT_OBJECT,
    "dict_type": "字段 {field} 须是 JSON 对象（{{…}}）",
    "list_type": "字段 {field} 须是数组（[…]）",
    "string_type": "字段 {field} 须是字符串",
    "int_type": "字段 {field} 须是整数",
    "int_parsing": "字段 {field} 须是整数",
    "bool_type": "字段 {field} 须是 true 或 false",
    "extra_forbidden": "不认识的字段 {field}",
}
OTHER_ERROR = "字段 {field} 的值不对，请检查后重试"


class ApiError(Exception):
    """A refused API request, answered as ``{"ok": false, "message": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_origin(request: web.Request) -> None:
    """Refuse a cross-site post from a browser with 403 (scripts send no Origin header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    # Behind a reverse proxy the Host header may name the upstream: the forwarded host and the
    # configured public URL count as our own origin too.
    ours = {request.host, request.headers.get("X-Forwarded-Host", "")}
    public_url = request.app[RESOURCES].settings.public_url
    if public_url:
        ours.add(urlsplit(public_url).netloc)
    try:
        theirs = urlsplit(origin).netloc
    except ValueError:  # "http://[" is no URL at all, so no origin of ours
        theirs = ""
    if theirs not in ours - {""}:
        raise ApiError(403, CROSS_SITE)


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's body as a JSON object, after the origin check; 400 for anything else."""
    check_origin(request)
    raw = await request.read()  # over client_max_size: 413
    charset = request.charset or "utf-8"
    try:
        text = raw.decode(charset)
    except LookupError:
        raise ApiError(400, UNKNOWN_CHARSET.format(charset=charset)) from None
    except ValueError:  # UnicodeDecodeError, or another codec's complaint (idna, punycode …)
        raise ApiError(
            400, NOT_UTF8 if charset == "utf-8" else NOT_DECODABLE.format(charset=charset)
        ) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ApiError(400, TOO_DEEP) from None
    except ValueError:
        raise ApiError(400, NOT_JSON) from None
    if not isinstance(data, dict):
        raise ApiError(400, NOT_OBJECT)
    return data


def validation_message(exc: ValidationError) -> str:
    """The first error of ``exc`` as one Chinese sentence."""
    errors = exc.errors()
    if not errors:
        return OTHER_ERROR.format(field="")
    first = errors[0]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):
        return str(cause)
    field = ".".join(str(part) for part in first["loc"]) or "（整个对象）"
    return ERROR_MESSAGES.get(first["type"], OTHER_ERROR).format(field=field)


def validated(model: type[Model], data: Mapping[str, Any]) -> Model:
    """``data`` as ``model``; the first validation error is a 400 with its message."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(400, validation_message(exc)) from None


async def json_body(request: web.Request, model: type[Model]) -> Model:
    """The request's JSON object body validated as ``model`` (403, 400 or 413 when it is not)."""
    return validated(model, await json_object(request))
