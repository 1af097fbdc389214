"""说不 / 提级: reply the 审批表 template, or validate a filled form and create the matter."""

from __future__ import annotations

import re

from bot.matters.approval_form import (
    FIELD_ALIASES,
    OPTIONAL,
    REQUIRED,
    FormProblem,
    check_form,
    label_of,
)
from bot.matters.forms import holds_hint, parse_fields
from bot.matters.store import MatterForm
from bot.matters.submit import submit_matter
from bot.texts import render_text
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext

router = CommandRouter()
__all__ = ["FIELD_ALIASES", "parse_matter_form", "router"]

# The 审批表 template's placeholder per field (the template shows them; a value still holding one
# counts as empty). Optional fields show no placeholder.
HINTS = {
    "applicant": "*申请人姓名或企业名称",
    "phone": "*手机或固定电话",
    "subject": "*申请办理的事项",
    "reason": "*为什么拟不予办理",
}


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


def _placeholders(values: dict[str, str]) -> tuple[dict[str, str], list[FormProblem]]:
    """The fields without those still holding a template placeholder (they count as empty), and a
    problem for each field left as its placeholder."""
    placeholders = {
        key: value.strip() for key, value in values.items() if holds_hint(value, HINTS.get(key, ""))
    }
    filled = {key: value for key, value in values.items() if key not in placeholders}
    problems = [
        FormProblem(key, f"“{label}”还是模板里的提示“{placeholders[key][:20]}”，请填写实际内容")
        for key, label in REQUIRED
        if key in placeholders
    ]
    problems += [FormProblem(key, f"“{label_of(key)}”还是模板里的提示，请填写实际内容或删去这一行")
                 for key in placeholders if key not in HINTS]  # fmt: skip
    return filled, problems


async def parse_matter_form(ctx: HandlerContext, body: str) -> MatterForm:
    """Validate every field and name each problem at once, so one correction is enough (the
    checks are ``bot.matters.approval_form``'s, the same as the page ``/m/new``)."""
    values, problems = _placeholders(parse_fields(body, FIELD_ALIASES))
    return await check_form(
        ctx.organisation.id,
        ctx.person.department_id,
        values,
        _split_names(values.get("co_departments", "")),
        problems=problems,
    )


def _split_names(value: str) -> list[str]:
    return [part for part in re.split(r"[、,，;；\s]+", value.strip()) if part]
