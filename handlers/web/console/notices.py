"""通报: ``POST /admin/matters/{number}/notice`` issues one on a matter (office / admin: the words
edited in the console, the group chosen, audited, sent through the outbox once however often the
form is posted), and ``/admin/notices`` lists them (leaders: on their matters only)."""

from __future__ import annotations

from aiohttp import web
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.errors import UserError
from bot.matters.notices import issue_notice, notices_in
from bot.matters.scoping import matters_in
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import RESOURCES
from bot.web.console import console_viewer, render_console
from bot.web.console_audit import audit_change
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from bot.web.inputs import decimal
from handlers.web.console.matter_access import form_text, moment, visible_matter
from handlers.web.console.matters import EDIT_ROLES, render_detail
from models.org import GroupChannel, Organisation

routes = web.RouteTableDef()

MAX_ID = 2**31 - 1


@routes.post("/admin/matters/{number}/notice")
async def issue(request: web.Request) -> web.Response:
    viewer = await console_viewer(request, *EDIT_ROLES)
    form = await posted(request)
    await check_csrf(request, form)
    matter = await visible_matter(viewer, request.match_info["number"])
    text, key = form_text(form, "text"), form_text(form, "key")
    group_id = decimal(form_text(form, "group"), MAX_ID)
    group = (
        await GroupChannel.get_or_none(id=group_id, organisation_id=viewer.organisation_id)
        if group_id
        else None
    )
    if group is None:
        return await render_detail(
            request, matter, error="请选择通报发往的群。", status=400, notice_text=text
        )
    resources = request.app[RESOURCES]
    now, _ = moment(request)
    batch = OutboxBatch(resources.settings, await Organisation.get(id=viewer.organisation_id), now)
    try:
        async with in_transaction():
            notice = await issue_notice(batch, matter, group, text, key=key, issued_by=viewer.label)
            if notice is not None:
                after = {"group": group.name, "text": notice.text, "notice": notice.id}
                await audit_change(
                    viewer.actor,
                    viewer.organisation_id,
                    "notice.issue",
                    {},
                    after,
                    subject=matter.number,
                    at=now,
                )
    except UserError as problem:
        return await render_detail(request, matter, error=problem.message, status=400, notice_text=text)
    except IntegrityError:  # the same form posted twice at once: the other request issued it
        raise web.HTTPSeeOther("/admin/notices?issued=1") from None
    await batch.nudge(resources)
    raise web.HTTPSeeOther("/admin/notices?issued=1")


@routes.get("/admin/notices")
async def notice_list(request: web.Request) -> web.Response:
    viewer = await console_viewer(request)
    _, tz = moment(request)
    notices = await notices_in(matters_in(viewer.organisation_id, viewer.scope, prefix="matter__"))
    context = {"viewer": viewer, "notices": notices, "issued": request.query.get("issued") == "1", "tz": tz}
    return await render_console(request, "console/notices.html.j2", context)
