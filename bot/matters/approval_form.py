"""The 说“不”事项提级管理审批表's fields and their validation, shared by the chat command (``说不``
with a filled template) and the page ``/m/new``, so the two cannot drift: the same labels, limits,
phone rule, catalog and 协办股室 checks, and the same Chinese message for each problem.

``check_form`` names every problem at once, each with its field (the page shows it beside the
field, the chat joins them in one reply), and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.errors import UserError
from bot.matters.forms import normalise_phone
from bot.matters.store import MatterForm
from models.catalog import CatalogItem
from models.org import Department

# Label → field: every label the chat form accepts (the first label of a field is its name).
FIELD_ALIASES = {
    "服务对象": "applicant",
    "申请人": "applicant",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "事项": "subject",
    "事项名称": "subject",
    "拟说不理由": "reason",
    "说不理由": "reason",
    "拟说不的理由": "reason",
    "诉求": "request",
    "政策依据": "policy_basis",
    "清单编号": "catalog_code",
    "协办股室": "co_departments",
}
REQUIRED = (("applicant", "服务对象"), ("phone", "联系电话"), ("subject", "事项"), ("reason", "拟说不理由"))
OPTIONAL = (("request", "诉求"), ("policy_basis", "政策依据"), ("catalog_code", "清单编号"),
            ("co_departments", "协办股室"))  # fmt: skip
LIMITS = {"applicant": 100, "subject": 500, "reason": 2000, "request": 2000, "policy_basis": 2000}
PHONE_LIMIT = 40  # characters of what was typed as the phone (a normalised number is shorter)
NAME_LIMIT = 200  # characters of a section name (the column)


@dataclass(frozen=True, slots=True)
class FormProblem:
    """One thing to fix, and the field it belongs to (``FIELD_ALIASES``' field names)."""

    field: str
    message: str


class FormRefused(UserError):
    """The form has problems; nothing was stored. ``message`` is the chat's one-line answer."""

    def __init__(self, problems: Sequence[FormProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "提交未成功："
            + "；".join(p.message for p in self.problems)
            + "。\n请修改后重新发送（发送“说不”可获取审批表模板）。"
        )

    def by_field(self) -> dict[str, list[str]]:
        """The messages of each field, for a page that shows them beside it."""
        grouped: dict[str, list[str]] = {}
        for problem in self.problems:
            grouped.setdefault(problem.field, []).append(problem.message)
        return grouped


def label_of(field: str) -> str:
    return next(label for label, key in FIELD_ALIASES.items() if key == field)


async def check_form(
    organisation_id: int,
    submitter_department_id: int | None,
    values: Mapping[str, str],
    co_departments: Sequence[str] = (),
    *,
    problems: Sequence[FormProblem] = (),
) -> MatterForm:
    """The validated form, or ``FormRefused`` naming every problem. ``values`` by field name (the
    catalog by ``catalog_code``), ``co_departments`` as names or codes. ``problems`` found before
    (the chat's template placeholders) come first; their fields are not reported as missing too."""
    found = list(problems)
    named = {p.field for p in found}
    text = {key: (values.get(key) or "").strip() for key in (*LIMITS, "phone", "catalog_code")}
    found += [
        FormProblem(key, f"缺少“{label}”") for key, label in REQUIRED if not text[key] and key not in named
    ]
    phone = text["phone"]
    normalised_phone = normalise_phone(phone) if phone and len(phone) <= PHONE_LIMIT else None
    if phone and normalised_phone is None:
        shown = phone if len(phone) <= PHONE_LIMIT else phone[:PHONE_LIMIT] + "…"
        found.append(
            FormProblem(
                "phone", f"联系电话“{shown}”格式不对，请填写11位手机号或带区号的固定电话（如 0377-8123456）"
            )
        )
    for key, limit in LIMITS.items():
        if len(values.get(key) or "") > limit:
            found.append(FormProblem(key, f"“{label_of(key)}”太长（最多 {limit} 字）"))
    catalog_item = None
    if code := text["catalog_code"]:
        catalog_item = await CatalogItem.get_or_none(organisation_id=organisation_id, code__iexact=code[:32])
        if catalog_item is None:
            found.append(
                FormProblem("catalog_code", f"清单编号“{code[:32]}”不存在，发送“清单”可查看事项清单")
            )
    departments: list[Department] = []
    for name in co_departments:
        department = await find_department(organisation_id, name)
        if department is None:
            found.append(FormProblem("co_departments", f"协办股室“{name[:40]}”不存在，请填写股室全称"))
        elif department.id != submitter_department_id and department not in departments:
            departments.append(department)
    if found or normalised_phone is None:
        raise FormRefused(found)
    return MatterForm(
        applicant=text["applicant"],
        applicant_phone=normalised_phone,
        subject=text["subject"],
        reason=text["reason"],
        request=text["request"],
        policy_basis=text["policy_basis"],
        catalog_item=catalog_item,
        co_departments=tuple(departments),
    )


async def find_department(organisation_id: int, name: str) -> Department | None:
    """A section of the organisation by its full name or its code."""
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        return None
    by_name = await Department.get_or_none(organisation_id=organisation_id, name=name)
    return by_name or await Department.get_or_none(organisation_id=organisation_id, code__iexact=name[:64])


@dataclass(frozen=True, slots=True)
class FormChoices:
    """What the page's form offers: the catalog items of the person's section, and the other
    sections of the organisation (for 协办股室) by unit."""

    catalog: tuple[CatalogItem, ...]
    sections: tuple[tuple[str, tuple[Department, ...]], ...]


async def form_choices(organisation_id: int, department_id: int | None) -> FormChoices:
    catalog = (
        await CatalogItem.filter(organisation_id=organisation_id, department_id=department_id).order_by(
            "code"
        )
        if department_id is not None
        else []
    )
    others = (
        await Department.filter(organisation_id=organisation_id)
        .exclude(id=department_id or 0)
        .order_by("unit_id", "id")
        .prefetch_related("unit")
    )
    by_unit: dict[str, list[Department]] = {}
    for department in others:
        by_unit.setdefault(department.unit.name, []).append(department)
    return FormChoices(tuple(catalog), tuple((unit, tuple(ds)) for unit, ds in by_unit.items()))
