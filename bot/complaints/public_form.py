"""The public complaint form (``/public/{org}``): each field checked on its own, every problem a
Chinese sentence kept under the field's name so the page shows it beside the field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from bot.complaints.forms import MAX_COMPANY, ComplaintForm
from bot.matters.numbers import normalise_number
from models.complaints import ComplaintChannel

MAX_NAME = 50
MAX_PHONE = 20
MAX_CONTENT = 2000
MAX_MATTER = 32
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")
MIN_PHONE_DIGITS = 7
#: The form's fields in the order the page shows them (the keys of ``PublicComplaintErrors.errors``).
FIELDS = ("complainant", "phone", "company", "content", "matter")


class PublicComplaintErrors(ValueError):
    """The form's problems by field name, each a Chinese sentence saying what to fix."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class PublicComplaint:
    """A valid public complaint: the ledger's form and the related matter number, if one was given."""

    form: ComplaintForm
    matter_number: str | None

    @property
    def phone_key(self) -> str:
        """The phone's digits alone: the per-phone limit counts ``138-0000 0000`` as ``13800000000``."""
        return "".join(c for c in self.form.phone if c.isdigit())


def clean(value: str) -> str:
    """Printable text only (no NUL, no lone surrogate, no control characters but line breaks and
    tabs), line breaks as ``\\n``, trimmed."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c.isprintable() or c in "\n\t").strip()


def _text(form: Mapping[str, str], key: str, label: str, limit: int, errors: dict[str, str], *,
          required: bool) -> str:  # fmt: skip
    value = clean(form.get(key, ""))
    if required and not value:
        errors[key] = f"请填写{label}"
    elif len(value) > limit:
        errors[key] = f"{label}最多 {limit} 个字，现在有 {len(value)} 个字，请精简"
    return value


def _phone(form: Mapping[str, str], errors: dict[str, str]) -> str:
    # NFKC: digits and dashes typed full-width on a Chinese keyboard (１３８－…) are the ASCII ones
    phone = unicodedata.normalize("NFKC", clean(form.get("phone", "")))
    digits = sum(c.isdigit() for c in phone)
    if not phone:
        errors["phone"] = "请填写联系电话，办理结果将通过电话或书面告知您"
    elif len(phone) > MAX_PHONE or not PHONE.fullmatch(phone) or digits < MIN_PHONE_DIGITS:
        errors["phone"] = "联系电话格式不对：请填写手机号或带区号的固定电话，如 13800000000 或 0377-68123456"
    return phone


def _matter(form: Mapping[str, str], errors: dict[str, str]) -> str | None:
    raw = clean(form.get("matter", ""))
    if not raw:
        return None
    number = normalise_number(raw) if len(raw) <= MAX_MATTER else None
    if number is None:
        errors["matter"] = "事项编号格式不对，应如 TJ-2026-0001；不清楚可以不填"
    return number


def parse_public_complaint(form: Mapping[str, str]) -> PublicComplaint:
    """The form's fields as a web-form complaint, or ``PublicComplaintErrors`` naming every problem."""
    errors: dict[str, str] = {}
    complainant = _text(form, "complainant", "您的姓名", MAX_NAME, errors, required=True)
    phone = _phone(form, errors)
    company = _text(form, "company", "企业名称", MAX_COMPANY, errors, required=False)
    content = _text(form, "content", "反映的问题", MAX_CONTENT, errors, required=True)
    matter_number = _matter(form, errors)
    if errors:
        raise PublicComplaintErrors({key: errors[key] for key in FIELDS if key in errors})
    ledger_form = ComplaintForm(
        channel=ComplaintChannel.WEB_FORM,
        complainant=complainant,
        phone=phone,
        company=company,
        content=content,
        no_matter_on_file=False,  # the office judges it at triage, not the form
    )
    return PublicComplaint(ledger_form, matter_number)
