"""A complaint's materials in the console: ``POST /admin/complaints/{number}/files/upload`` (the
office adds photos or PDFs: multipart, CSRF, checked by content, at most 6 per complaint, 10 MB
each, all or none, audited) and ``GET /admin/complaints/{number}/files/{id}`` (one file, for those
``bot.complaints.attachments.may_see_materials`` admits; another organisation's is not found)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.complaints.attachments import NOUN, keep_complaint_files, may_see_materials
from bot.matters.attachments import MAX_FILES, AttachmentRefused, file_of, settle
from bot.runtime.resources import RESOURCES
from bot.web.console import CONSOLE_ROLES, console_viewer
from bot.web.console_audit import audit_change
from bot.web.errors import PageError
from bot.web.uploads import read_upload_form
from handlers.web.console.complaints import CHANGERS, complaint_in_scope, render_detail
from handlers.web.pages.attachments import NO_MATERIALS, file_headers
from models.attachments import Attachment

routes = web.RouteTableDef()
MAX_ID_DIGITS = 9


@routes.post("/admin/complaints/{number}/files/upload")
async def upload_materials(request: web.Request) -> web.Response:
    """Add the chosen files to the complaint: all of them, or (any refused) none."""
    viewer = await console_viewer(request, *CHANGERS)
    complaint = await complaint_in_scope(request, viewer)
    resources = request.app[RESOURCES]
    before = await Attachment.filter(complaint_id=complaint.id).count()
    form = await read_upload_form(request, resources.settings, room=MAX_FILES - before, noun=NOUN)
    linked: list[Path] = []
    try:
        if form.refusals or not form.staged:
            errors = form.refusals or ["请先选择要上传的照片或 PDF 文件"]
            return await render_detail(
                request, viewer, complaint, error="；".join([*errors, "这次的材料都没有保存"]), status=400
            )
        now = resources.clock.now()
        async with in_transaction():
            kept = await keep_complaint_files(resources.settings, complaint, form.staged, uploader=viewer.person,
                                              actor=viewer.actor, now=now, linked=linked)  # fmt: skip
            await audit_change(viewer.actor, viewer.organisation_id, "complaint.attach", {"files": before},
                               {"files": before + len(kept), "added": [a.filename for a in kept]},
                               subject=complaint.number, at=now)  # fmt: skip
    except AttachmentRefused as refused:
        return await render_detail(request, viewer, complaint, error=refused.message, status=400)
    finally:
        await settle(resources.settings, form.staged, linked)
    raise web.HTTPSeeOther(f"/admin/complaints/{complaint.number}#materials")


@routes.get("/admin/complaints/{number}/files/{id}")
async def open_material(request: web.Request) -> web.StreamResponse:
    """One of the complaint's files, for those who may see its materials."""
    viewer = await console_viewer(request, *CONSOLE_ROLES)
    complaint = await complaint_in_scope(request, viewer)
    raw = request.match_info["id"]
    attachment = (
        await Attachment.get_or_none(id=int(raw), complaint_id=complaint.id, organisation_id=viewer.organisation_id)
        if raw.isascii() and raw.isdigit() and len(raw) <= MAX_ID_DIGITS
        else None
    )  # fmt: skip
    if attachment is None:
        raise PageError(404, "没有找到", "没有这个材料，或您无权查看。")
    if not await may_see_materials(complaint, viewer.roles, viewer.person):
        raise PageError(403, "没有权限", NO_MATERIALS)
    path = file_of(request.app[RESOURCES].settings, attachment)
    if not await asyncio.to_thread(path.is_file):
        raise PageError(404, "没有找到", "材料的文件已不在服务器上，请联系活动办公室。")
    return web.FileResponse(path, headers=file_headers(attachment))
