"""What a console edit of the organisation changed: the before → after the audit log records, and
the error (Chinese, saying what to fix) that refuses a bad edit before anything is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.errors import UserError
from bot.org.schema import LANDLINE_RE, MOBILE_RE

MAX_ID_DIGITS = 9  # a row id from a form: anything longer is not one of ours


class OrgEditError(UserError):
    """A console edit refused: ``message`` says what to fix; nothing was stored."""


@dataclass(frozen=True)
class Change:
    """One audited change: ``what`` (e.g. ``org.chain``), the row it touched and its values before
    and after (only the fields the edit is about)."""

    what: str
    subject: str
    before: Mapping[str, object] = field(default_factory=dict)
    after: Mapping[str, object] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return dict(self.before) != dict(self.after)


def clean_text(value: object, label: str, *, max_length: int, required: bool = False) -> str:
    """A form field as stripped text; refuses a missing required one and one that is too long."""
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        raise OrgEditError(f"{label}含有无法保存的字符，请重新输入")
    if required and not text:
        raise OrgEditError(f"请填写{label}")
    if len(text) > max_length:
        raise OrgEditError(f"{label}太长（{len(text)} 字），最多 {max_length} 字")
    return text


def clean_phone(value: object) -> str:
    """A phone number as the org file takes it: a mobile (11 digits) or a landline with area code."""
    phone = clean_text(value, "电话", max_length=32).replace(" ", "")
    if phone and not (MOBILE_RE.fullmatch(phone) or LANDLINE_RE.fullmatch(phone)):
        raise OrgEditError(f"“{phone}”不是有效的电话号码：手机写 11 位，座机带区号，如 0377-68123456")
    return phone


def clean_id(value: object, label: str) -> int | None:
    """A row id from a form (a select): None when empty; refuses anything but a small positive number."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if not text.isdecimal() or len(text) > MAX_ID_DIGITS or not text.isascii():
        raise OrgEditError(f"{label}选择有误，请重新选择")
    return int(text)
