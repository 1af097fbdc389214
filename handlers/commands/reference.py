"""清单 (the catalog of matters in scope) and 帮助."""

from __future__ import annotations

from bot.errors import UserError
from bot.texts import render_text
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.catalog import CatalogItem
from models.org import Department

router = CommandRouter()


@router.command("清单", "catalog", usage="清单 [股室]：说“不”提级管理事项清单", rank=80)
async def handle_catalog(ctx: HandlerContext, body: str) -> str:
    org_id = ctx.organisation.id
    name = body.strip()
    departments = await Department.filter(organisation_id=org_id).order_by("id")
    if name:
        departments = [d for d in departments if name in (d.name, d.code) or name in d.name]
        if not departments:
            raise UserError(f"没有名为“{name}”的股室。发送“清单”查看全部事项。")
    sections = []
    for department in departments:
        items = await CatalogItem.filter(organisation_id=org_id, department_id=department.id).order_by("code")
        if items:
            sections.append((department, items))
    if not sections:
        return "事项清单为空，请联系办公室维护。"
    return render_text("catalog.md.j2", sections=sections)


@router.command("帮助", "help", "?", "？", usage="帮助：查看用法", rank=110)
async def handle_help(ctx: HandlerContext, body: str) -> str:
    return render_text("help.md.j2", usages=list(ctx.usages), person=ctx.person)
