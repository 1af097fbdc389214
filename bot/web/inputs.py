"""Checks of single request values (body fields, path and query parameters) that every web
handler shares. A refusal raises ``InputError``, whose message (Chinese) says what to fix."""

from __future__ import annotations


class InputError(ValueError):
    """A refused input. Raised inside a pydantic validator it becomes that field's error; raised in
    a handler the error middleware answers it with 400. Either way its message reaches the user."""


def storable(value: str, label: str) -> str:
    """``value`` unchanged, unless no text column can hold it: a NUL or a lone surrogate (JSON and
    URLs allow both; PostgreSQL and UTF-8 do not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"“{label}”含有无法识别的字符，请删去后重试") from None
    if "\x00" in value:
        raise InputError(f"“{label}”含有空字符（\\u0000），请删去后重试")
    return value


def required_text(value: object, key: str, label: str) -> str:
    """A non-blank string field ``key`` (shown as ``label``), stripped and storable."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"缺少“{label}”（字段 {key}，须是非空字符串）")
    return storable(value.strip(), label)


def decimal(raw: str, limit: int) -> int | None:
    """A plain decimal no larger than ``limit``, else None. ASCII digits only: ``"²".isdigit()`` is
    true but ``int("²")`` fails; and no longer than ``limit`` (``int()`` refuses 4,300 digits)."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    if len(digits) > len(str(limit)):
        return None
    value = int(digits)
    return value if value <= limit else None
