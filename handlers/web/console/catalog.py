"""``/admin/catalog`` (事项清单 with 办事指南): per section, each item's category, legal basis, time
limit, required materials, steps and public flag. Office and admin create, edit and delete (an item
a matter names cannot be deleted: take it off the public page instead); 纪检组 reads; a leader
reads their units' items; every change is audited."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.catalog import create_item, delete_item, edit_item, item_values
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_forms import Form, path_id, read_form, save_change, user_message
from bot.web.errors import PageError
from handlers.web.console.org import READERS, can_edit, visible_unit_ids
from models.catalog import CATALOG_CATEGORIES, CatalogItem
from models.matter import Matter
from models.org import Department, Role

routes = web.RouteTableDef()
EDITORS = (Role.OFFICE, Role.ADMIN)
SAVED = {"created": "已新增清单事项。", "edited": "已保存清单事项。", "deleted": "已删除清单事项。"}


async def _departments(viewer: ConsoleViewer) -> list[Department]:
    units = await visible_unit_ids(viewer)
    query = Department.filter(organisation_id=viewer.organisation_id).order_by("unit_id", "id")
    return await (query if units is None else query.filter(unit_id__in=sorted(units)))


async def _list(
    request: web.Request, viewer: ConsoleViewer, *, error: str = "", status: int = 200
) -> web.Response:
    depts = await _departments(viewer)
    items = await CatalogItem.filter(
        organisation_id=viewer.organisation_id, department_id__in=[d.id for d in depts]
    ).order_by("code")
    used = set(
        await Matter.filter(organisation_id=viewer.organisation_id, catalog_item_id__not_isnull=True)
        .distinct().values_list("catalog_item_id", flat=True)
    )  # fmt: skip
    sections = [(d, [i for i in items if i.department_id == d.id]) for d in depts]
    context = {
        "viewer": viewer, "sections": sections, "can_edit": can_edit(viewer), "used": used, "error": error,
        "saved": SAVED.get(request.query.get("saved", ""), ""), "total": len(items),
    }  # fmt: skip
    return await render_console(request, "console/catalog/index.html.j2", context, status=status)


@routes.get("/admin/catalog")
async def catalog_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *READERS)
    return await _list(request, viewer)


async def _form(request: web.Request, viewer: ConsoleViewer, item: CatalogItem | None, *, error: str = "",
                form: Form | None = None, status: int = 200) -> web.Response:  # fmt: skip
    if form is not None:
        values: dict[str, object] = dict(form.values)
        values["public"] = form.get("public") == "on"
    elif item is not None:
        values = item_values(item)
        values["department"] = str(item.department_id)
    else:
        values = {"public": True, "category": CATALOG_CATEGORIES[0]}
    context = {
        "viewer": viewer, "item": item, "values": values, "error": error, "categories": CATALOG_CATEGORIES,
        "departments": await _departments(viewer),
    }  # fmt: skip
    return await render_console(request, "console/catalog/item.html.j2", context, status=status)


@routes.get("/admin/catalog/new")
async def new_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    return await _form(request, viewer, None)


@routes.post("/admin/catalog/new")
async def new_save(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    form = await read_form(request)
    try:
        change = await save_change(request, viewer, lambda: create_item(viewer.organisation_id, form.values))
    except UserError as error:
        return await _form(request, viewer, None, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther(f"/admin/catalog?saved=created#{change.subject.replace(':', '-')}")


async def _item(viewer: ConsoleViewer, request: web.Request) -> CatalogItem:
    item = await CatalogItem.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if item is None:
        raise PageError(404, "没有找到", "没有这个清单事项（可能已被删除），请从事项清单重新进入。")
    return item


@routes.get("/admin/catalog/{id}")
async def item_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    return await _form(request, viewer, await _item(viewer, request))


@routes.post("/admin/catalog/{id}")
async def item_save(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    form = await read_form(request)
    item = await _item(viewer, request)
    try:
        await save_change(request, viewer, lambda: edit_item(viewer.organisation_id, item.id, form.values))
    except UserError as error:
        return await _form(request, viewer, item, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther(f"/admin/catalog?saved=edited#catalog-{item.id}")


@routes.post("/admin/catalog/{id}/delete")
async def item_delete(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    await read_form(request)
    item = await _item(viewer, request)
    try:
        await save_change(request, viewer, lambda: delete_item(viewer.organisation_id, item.id))
    except UserError as error:
        return await _list(request, viewer, error=user_message(error), status=400)
    raise web.HTTPSeeOther("/admin/catalog?saved=deleted")
