"""说不 / 提级: reply the 审批表 template, or validate a filled form and create the matter."""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.matters.forms import holds_hint, normalise_phone, parse_fields
from bot.matters.store import MatterForm
from bot.matters.submit import submit_matter
from bot.texts import render_text
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.catalog import CatalogItem
from models.org import Department

router = CommandRouter()

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
# The 审批表 template's placeholder per field (the template shows them; a value still holding one
# counts as empty). Optional fields show no placeholder.
HINTS = {
    "applicant": "*申请人姓名或企业名称",
    "phone": "*手机或固定电话",
    "subject": "*申请办理的事项",
    "reason": "*为什么拟不予办理",
}
OPTIONAL = (("request", "诉求"), ("policy_basis", "政策依据"), ("catalog_code", "清单编号"),
            ("co_departments", "协办股室"))  # fmt: skip
LIMITS = {"applicant": 100, "subject": 500, "reason": 2000, "request": 2000, "policy_basis": 2000}


@router.command(
    "说不", "提级", "submit", usage="说不 / 提级：提交说“不”事项（不带内容时回复审批表模板）", rank=10
)
async def handle_submit(ctx: HandlerContext, body: str) -> str:
    if not body.strip():
        return render_text(
            "submit_form.md.j2", required=[(label, HINTS[key]) for key, label in REQUIRED], optional=OPTIONAL
        )
    form = await parse_matter_form(ctx, body)
    result = await submit_matter(ctx.batch, ctx.person, form)
    return result.message


def _filled(values: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The fields without those still holding a template placeholder (they count as empty), and a
    problem for each required field that is empty and each field left as its placeholder."""
    placeholders = {
        key: value.strip() for key, value in values.items() if holds_hint(value, HINTS.get(key, ""))
    }
    filled = {key: value for key, value in values.items() if key not in placeholders}
    problems = []
    for key, label in REQUIRED:
        if key in placeholders:
            problems.append(f"“{label}”还是模板里的提示“{placeholders[key][:20]}”，请填写实际内容")
        elif not filled.get(key, "").strip():
            problems.append(f"缺少“{label}”")
    problems += [f"“{_label(key)}”还是模板里的提示，请填写实际内容或删去这一行"
                 for key in placeholders if key not in HINTS]  # fmt: skip
    return filled, problems


async def parse_matter_form(ctx: HandlerContext, body: str) -> MatterForm:
    """Validate every field and name each problem at once, so one correction is enough."""
    values, problems = _filled(parse_fields(body, FIELD_ALIASES))
    phone = values.get("phone", "").strip()
    normalised_phone = normalise_phone(phone) if phone else None
    if phone and normalised_phone is None:
        problems.append(f"联系电话“{phone}”格式不对，请填写11位手机号或带区号的固定电话（如 0377-8123456）")
    for key, limit in LIMITS.items():
        if len(values.get(key, "")) > limit:
            problems.append(f"“{_label(key)}”太长（最多 {limit} 字）")
    catalog_item = None
    code = values.get("catalog_code", "").strip()
    if code:
        catalog_item = await CatalogItem.get_or_none(organisation_id=ctx.organisation.id, code__iexact=code)
        if catalog_item is None:
            problems.append(f"清单编号“{code}”不存在，发送“清单”可查看事项清单")
    co_departments: list[Department] = []
    for name in _split_names(values.get("co_departments", "")):
        department = await _find_department(ctx, name)
        if department is None:
            problems.append(f"协办股室“{name}”不存在，请填写股室全称")
        elif department.id != ctx.person.department_id and department not in co_departments:
            co_departments.append(department)
    if problems:
        raise UserError(
            "提交未成功：" + "；".join(problems) + "。\n请修改后重新发送（发送“说不”可获取审批表模板）。"
        )
    if normalised_phone is None:  # a bad phone number is among the problems above
        raise UserError("联系电话不正确，请填写手机号或带区号的固定电话。")
    return MatterForm(
        applicant=values["applicant"].strip(),
        applicant_phone=normalised_phone,
        subject=values["subject"].strip(),
        reason=values["reason"].strip(),
        request=values.get("request", "").strip(),
        policy_basis=values.get("policy_basis", "").strip(),
        catalog_item=catalog_item,
        co_departments=tuple(co_departments),
    )


def _label(key: str) -> str:
    return next(label for label, field in FIELD_ALIASES.items() if field == key)


def _split_names(value: str) -> list[str]:
    return [part for part in re.split(r"[、,，;；\s]+", value.strip()) if part]


async def _find_department(ctx: HandlerContext, name: str) -> Department | None:
    org_id = ctx.organisation.id
    return await Department.get_or_none(organisation_id=org_id, name=name) or await Department.get_or_none(
        organisation_id=org_id, code__iexact=name
    )
