"""Validating a complaint's registration: every problem named in Chinese, nothing stored half-way."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from models.complaints import ComplaintChannel

MAX_NAME = 100
MAX_COMPANY = 200
MAX_CONTENT = 5000
PHONE = re.compile(r"^[0-9+\-－ ]{5,20}$")


class ComplaintFormError(ValueError):
    """The registration's problems, each a Chinese sentence saying what to fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ComplaintForm:
    channel: ComplaintChannel
    complainant: str
    phone: str
    company: str
    content: str
    no_matter_on_file: bool


def _clean(value: str) -> str:
    return "".join(c for c in value if c.isprintable() or c in "\n\t").strip()


def parse_complaint_form(form: Mapping[str, str]) -> ComplaintForm:
    """The registration form's fields, or ComplaintFormError listing every problem."""
    problems: list[str] = []
    channel_raw = form.get("channel", "")
    channel = ComplaintChannel(channel_raw) if channel_raw in ComplaintChannel.__members__.values() else None
    if channel is None:
        problems.append("请选择受理渠道（电话、来访、来信、网上表单或12345转办）")
    complainant = _clean(form.get("complainant", ""))
    if not complainant:
        problems.append("请填写投诉人姓名")
    elif len(complainant) > MAX_NAME:
        problems.append(f"投诉人姓名不能超过 {MAX_NAME} 个字")
    phone = _clean(form.get("phone", ""))
    if not PHONE.fullmatch(phone):
        problems.append("请填写正确的联系电话（5–20 位数字）")
    company = _clean(form.get("company", ""))
    if len(company) > MAX_COMPANY:
        problems.append(f"企业名称不能超过 {MAX_COMPANY} 个字")
    content = _clean(form.get("content", ""))
    if not content:
        problems.append("请填写投诉内容")
    elif len(content) > MAX_CONTENT:
        problems.append(f"投诉内容不能超过 {MAX_CONTENT} 个字")
    if problems or channel is None:
        raise ComplaintFormError(problems)
    return ComplaintForm(
        channel=channel,
        complainant=complainant,
        phone=phone,
        company=company,
        content=content,
        no_matter_on_file=form.get("no_matter_on_file", "") in {"1", "on", "yes"},
    )
