"""清单 (the catalog of matters in scope) and 帮助."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import UserError
from bot.texts import render_text
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.catalog import CatalogItem
from models.org import Department

router = CommandRouter()


@router.command(
    "清单", "catalog", usage="清单 [股室]：说“不”提级管理事项清单（股室可写简称，如 运管）", rank=80
)
async def handle_catalog(ctx: HandlerContext, body: str) -> str:
    org_id = ctx.organisation.id
    name = body.strip()
    departments = await Department.filter(organisation_id=org_id).order_by("id")
    if name:
        chosen = sections_named(name, departments)
        if not chosen:
            valid = "、".join(f"{d.name}（{d.code}）" for d in departments)
            raise UserError(
                f"没有名为“{name}”的股室。可以写股室全称、简称或代码：{valid}。发送“清单”查看全部事项。"
            )
        departments = chosen
    sections = []
    for department in departments:
        items = await CatalogItem.filter(organisation_id=org_id, department_id=department.id).order_by("code")
        if items:
            sections.append((department, items))
    if not sections:
        return "事项清单为空，请联系办公室维护。"
    return render_text("catalog.md.j2", sections=sections)


def sections_named(name: str, departments: Sequence[Department]) -> list[Department]:
    """The sections ``name`` means: its full name or code, else those whose name contains it, else
    those it abbreviates (its characters in order, 运管 → 运输管理股)."""
    wanted = name.lower()
    exact = [d for d in departments if wanted in (d.name.lower(), d.code.lower())]
    if exact:
        return exact
    containing = [d for d in departments if wanted in d.name.lower()]
    if containing:
        return containing
    return [d for d in departments if _abbreviates(wanted, d.name.lower())]


def _abbreviates(short: str, full: str) -> bool:
    rest = iter(full)
    return len(short) > 1 and all(char in rest for char in short)


@router.command("帮助", "help", "?", "？", usage="帮助：查看用法", rank=110)
async def handle_help(ctx: HandlerContext, body: str) -> str:
    return render_text("help.md.j2", usages=list(ctx.usages), person=ctx.person)
