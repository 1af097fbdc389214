"""事项清单 in the console: create, edit and delete an item with its 办事指南 (legal basis, time
limit, required materials, steps, public flag). The checks are those of the org file; an item a
matter names cannot be deleted (take it off the public page instead). Callers open the transaction
and audit the returned :class:`Change`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.org.changes import Change, OrgEditError, clean_id, clean_text
from bot.org.schema import CODE_RE
from models.catalog import CATALOG_CATEGORIES, CatalogItem
from models.matter import Matter
from models.org import Department

LONG_TEXT = 4000  # characters of a guide's free-text part


def item_values(item: CatalogItem) -> dict[str, object]:
    return {
        "code": item.code, "department": item.department_id, "name": item.name, "category": item.category,
        "description": item.description, "legal_basis": item.legal_basis, "time_limit": item.time_limit,
        "materials": item.materials, "steps": item.steps, "public": item.public,
    }  # fmt: skip


def _lines(value: object, label: str) -> str:
    """One entry per line, blank lines dropped (as the receipt lists them)."""
    text = clean_text(value, label, max_length=LONG_TEXT)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


async def _guide(organisation_id: int, form: Mapping[str, object]) -> dict[str, Any]:
    """The validated fields every item has (all but the code)."""
    dept_id = clean_id(form.get("department"), "承办股室")
    dept = await Department.get_or_none(id=dept_id or 0, organisation_id=organisation_id)
    if dept is None:
        raise OrgEditError("请选择承办股室")
    category = clean_text(form.get("category"), "类别", max_length=16, required=True)
    if category not in CATALOG_CATEGORIES:
        raise OrgEditError(f"类别应为：{'、'.join(CATALOG_CATEGORIES)}")
    return {
        "department_id": dept.id,
        "name": clean_text(form.get("name"), "事项名称", max_length=200, required=True),
        "category": category,
        "description": clean_text(form.get("description"), "说明", max_length=LONG_TEXT),
        "legal_basis": clean_text(form.get("legal_basis"), "设定依据", max_length=LONG_TEXT),
        "time_limit": clean_text(form.get("time_limit"), "办理时限", max_length=64),
        "materials": _lines(form.get("materials"), "申请材料"),
        "steps": _lines(form.get("steps"), "办理流程"),
        "public": form.get("public") in ("on", "1", "true"),
    }


async def create_item(organisation_id: int, form: Mapping[str, object]) -> Change:
    code = clean_text(form.get("code"), "清单编号", max_length=32, required=True)
    if not CODE_RE.fullmatch(code):
        raise OrgEditError(f"清单编号“{code}”只能用字母、数字和 _ . -，例如 YS-01")
    values = await _guide(organisation_id, form)
    if await CatalogItem.filter(organisation_id=organisation_id, code__iexact=code).exists():
        raise OrgEditError(f"清单编号 {code} 已经有了，请换一个")
    item = await CatalogItem.create(organisation_id=organisation_id, code=code, **values)
    return Change("catalog.create", f"catalog:{item.id}", {}, item_values(item))


async def _item(organisation_id: int, item_id: int) -> CatalogItem:
    item = await CatalogItem.get_or_none(id=item_id, organisation_id=organisation_id)
    if item is None:
        raise OrgEditError("没有这个清单事项（可能已被删除），请刷新页面")
    return item


async def edit_item(organisation_id: int, item_id: int, form: Mapping[str, object]) -> Change:
    item = await _item(organisation_id, item_id)
    before = item_values(item)
    item.update_from_dict(await _guide(organisation_id, form))
    await item.save()
    return Change("catalog.edit", f"catalog:{item.id}", before, item_values(item))


async def delete_item(organisation_id: int, item_id: int) -> Change:
    """Delete an item no matter names; one that is used stays (its public flag can be turned off)."""
    item = await _item(organisation_id, item_id)
    used = await Matter.filter(catalog_item_id=item.id).count()
    if used:
        raise OrgEditError(f"已有 {used} 件事项引用“{item.name}”，不能删除；如不再公开，请编辑它并取消“公开”")
    before = item_values(item)
    await item.delete()
    return Change("catalog.delete", f"catalog:{item.id}", before, {})
