"""``/admin/org`` stand-ins (代理: set, end) and groups (群: name and platform ids), for office and
admin; every change audited. A refused change shows the org page again with what to fix."""

from __future__ import annotations

from aiohttp import web

from bot.errors import UserError
from bot.org.changes import clean_id
from bot.org.directory import role_labels
from bot.org.groups import SECRET_FIELDS, edit_group
from bot.org.stand_ins import end_stand_in, set_stand_in
from bot.web.console import ConsoleViewer, console_viewer, render_console
from bot.web.console_forms import Form, path_id, read_form, save_change, today, user_message
from bot.web.errors import PageError
from handlers.web.console.org import directory_for
from models.org import GroupChannel, Role

routes = web.RouteTableDef()
EDITORS = (Role.OFFICE, Role.ADMIN)


async def _org_again(request: web.Request, viewer: ConsoleViewer, error: str, form: Form) -> web.Response:
    context = {
        "viewer": viewer, "directory": await directory_for(request, viewer), "can_edit": True,
        "role_labels": role_labels, "saved": "", "today": today(request), "error": error, "form": form.values,
    }  # fmt: skip
    return await render_console(request, "console/org/index.html.j2", context, status=400)


@routes.post("/admin/org/stand-ins")
async def stand_in_set(request: web.Request) -> web.Response:
    """Record a stand-in (audited)."""
    viewer = await console_viewer(request, *EDITORS)
    form = await read_form(request)
    try:
        person, deputy = clean_id(form.get("person"), "外出的领导"), clean_id(form.get("stand_in"), "代理人")
        await save_change(
            request,
            viewer,
            lambda: set_stand_in(viewer.organisation_id, person, deputy, form.get("start"), form.get("end"),
                                 form.get("reason"), today=today(request)),
        )  # fmt: skip
    except UserError as error:
        return await _org_again(request, viewer, user_message(error), form)
    raise web.HTTPSeeOther("/admin/org?saved=stand_in#stand-ins")


@routes.post("/admin/org/stand-ins/{id}/end")
async def stand_in_end(request: web.Request) -> web.Response:
    """End a stand-in now (audited)."""
    viewer = await console_viewer(request, *EDITORS)
    form = await read_form(request)
    row_id = path_id(request)
    try:
        await save_change(
            request, viewer, lambda: end_stand_in(viewer.organisation_id, row_id, today=today(request))
        )
    except UserError as error:
        return await _org_again(request, viewer, user_message(error), form)
    raise web.HTTPSeeOther("/admin/org?saved=stand_in_end#stand-ins")


async def _group(viewer: ConsoleViewer, request: web.Request) -> GroupChannel:
    group = await GroupChannel.get_or_none(id=path_id(request), organisation_id=viewer.organisation_id)
    if group is None:
        raise PageError(404, "没有找到", "没有这个群，请从组织与链条重新进入。")
    return group


async def _group_form(request: web.Request, viewer: ConsoleViewer, group: GroupChannel, *, error: str = "",
                      form: Form | None = None, status: int = 200) -> web.Response:  # fmt: skip
    names = ("name", "wecom_chat_id", "dingtalk_conversation_id", "dingtalk_webhook")
    values = {n: form.get(n) for n in names} if form else {n: getattr(group, n) or "" for n in names}
    secrets = {n: bool(getattr(group, n)) for n in SECRET_FIELDS}
    context = {"viewer": viewer, "group": group, "values": values, "secrets": secrets, "error": error}
    return await render_console(request, "console/org/group.html.j2", context, status=status)


@routes.get("/admin/org/groups/{id}")
async def group_page(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDITORS)
    return await _group_form(request, viewer, await _group(viewer, request))


@routes.post("/admin/org/groups/{id}")
async def group_save(request: web.Request) -> web.Response:
    """Save the group's name and ids (audited; an empty secret field keeps the stored secret)."""
    viewer = await console_viewer(request, *EDITORS)
    form = await read_form(request)
    group = await _group(viewer, request)
    try:
        await save_change(
            request,
            viewer,
            lambda: edit_group(
                viewer.organisation_id, group.id, name=form.get("name"), wecom_chat_id=form.get("wecom_chat_id"),
                dingtalk_conversation_id=form.get("dingtalk_conversation_id"),
                dingtalk_webhook=form.get("dingtalk_webhook"), secrets={n: form.get(n) for n in SECRET_FIELDS},
            ),
        )  # fmt: skip
    except UserError as error:
        return await _group_form(request, viewer, group, error=user_message(error), form=form, status=400)
    raise web.HTTPSeeOther("/admin/org?saved=group#groups")
