"""Parsing ``字段：值`` forms typed on a phone: full- or half-width colons, blank lines, stray spaces."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.errors import UserError

_LABEL = re.compile(r"^\s*([^:：\s][^:：]{0,11}?)\s*[:：]\s*(.*)$")


def parse_fields(text: str, aliases: Mapping[str, str]) -> dict[str, str]:
    """Map each ``标签：值`` line to its canonical field name (``aliases``: label → field).

    A line without a known label continues the previous field (a value over several lines). An
    unknown label before any field, or a field given twice, is an error that says what to fix.
    """
    values: dict[str, str] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip().replace("\u3000", " ")
        if not line:
            continue
        match = _LABEL.match(line)
        label = _normalise_label(match.group(1)) if match else None
        if match and label is not None and label in aliases:
            field = aliases[label]
            if field in values:
                raise UserError(f"“{match.group(1).strip()}”填写了两次，请只保留一行。")
            values[field] = match.group(2).strip()
            current = field
        elif current is not None:
            values[current] = f"{values[current]}\n{line}".strip()
        elif match:
            known = "、".join(dict.fromkeys(aliases))
            raise UserError(f"无法识别的字段“{match.group(1).strip()}”。可用字段：{known}")
        else:
            raise UserError(f"无法识别这一行：“{line}”。请按“字段：内容”的格式逐行填写。")
    return values


def _normalise_label(label: str) -> str:
    return re.sub(r"[\s“”\"'‘’]", "", label)


HINT_MARKS = ("*", "＊")


def holds_hint(value: str, hint: str = "") -> bool:
    """True when ``value`` is still the template's placeholder: it starts with ``*`` (the template
    marks every hint with one) or it is the hint itself without its ``*``. Such a field is empty."""
    text = value.strip()
    if text.startswith(HINT_MARKS):
        return True
    bare = hint.strip().lstrip("".join(HINT_MARKS)).strip()
    return bool(bare) and text == bare


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def normalise_phone(value: str) -> str | None:
    """A mobile (11 digits) or a landline with area code; None when it is neither."""
    cleaned = re.sub(r"[\s()（）]", "", value).replace("－", "-").replace("—", "-")
    if cleaned.startswith("+86"):
        cleaned = cleaned[3:]
    digits_only = cleaned.replace("-", "")
    if _MOBILE.match(digits_only):
        return digits_only
    if _LANDLINE.match(cleaned):
        return cleaned
    return None
