"""A matter's attachments: ``GET /m/matters/{number}/attachments`` (the list, and the upload form for
the submitter), ``POST`` there to add files (multipart, CSRF, checked by content, at most 6 per
matter, 10 MB each), and ``GET /m/attachments/{id}`` to open one — only for those who may see
the matter (``bot.matters.access.may_view``); another organisation's number or id is not found."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path
from urllib.parse import quote

from aiohttp import web
from tortoise.transactions import in_transaction

from bot.complaints.attachments import may_see_materials, person_roles
from bot.matters.access import may_view
from bot.matters.attachments import EXTENSIONS, MAX_FILES, attachments_of, file_of, keep, may_attach, settle
from bot.runtime.resources import RESOURCES
from bot.web.console_forms import today
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person
from bot.web.uploads import read_upload_form
from models.attachments import Attachment
from models.complaints import Complaint
from models.matter import Matter
from models.org import Person

routes = web.RouteTableDef()

NUMBER = re.compile(r"^[A-Za-z0-9-]{1,32}$")
MAX_ID = 2**31 - 1
NOT_FOUND = "没有这个事项，或您无权查看。请从卡片或待办打开。"
FORBIDDEN = "只有事项的提交人、审批领导、协办股室负责人和活动办公室、纪检、主要领导可以查看。"
NO_MATERIALS = "只有活动办公室、纪检组、主要领导和承办股室的人员可以查看投诉材料。"
ATTACHMENTS_PAGE = "/m/matters/{number}/attachments"


async def viewable_matter(person: Person, number: str, today: dt.date) -> Matter:
    """The matter ``number`` of the person's own organisation, if they may see it (else 404/403)."""
    matter = (
        await Matter.get_or_none(organisation_id=person.organisation_id, number=number)
        if NUMBER.match(number)
        else None
    )
    if matter is None:
        raise PageError(404, "没有找到", NOT_FOUND)
    if not await may_view(person, matter, today=today):
        raise PageError(403, "没有权限", FORBIDDEN)
    return matter


async def _may_attach(request: web.Request, person: Person, matter: Matter) -> bool:
    resources = request.app[RESOURCES]
    return await may_attach(person, matter, resources.clock.now(), resources.settings.tz)


async def _page(
    request: web.Request, person: Person, matter: Matter, errors: list[str], status: int = 200
) -> web.Response:
    context = {
        "matter": matter,
        "attachments": await attachments_of(matter),
        "may_attach": await _may_attach(request, person, matter),
        "attachment_errors": errors,
        "max_files": MAX_FILES,
    }
    return await render_page(request, "pages/attachments.html.j2", context, status=status)


@routes.get("/m/matters/{number}/attachments")
async def matter_attachments(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    matter = await viewable_matter(person, request.match_info["number"], today(request))
    return await _page(request, person, matter, [])


@routes.post("/m/matters/{number}/attachments")
async def upload_attachments(request: web.Request) -> web.Response:
    """Add files to the matter: all of them, or (any refused) none."""
    person = await signed_in_person(request)
    matter = await viewable_matter(person, request.match_info["number"], today(request))
    if not await _may_attach(request, person, matter):
        raise PageError(
            403,
            "没有权限",
            "只有事项的提交人和正在研判它的领导可以上传附件（已办结或撤回的事项不能再上传）。",
        )
    resources = request.app[RESOURCES]
    room = MAX_FILES - await Attachment.filter(matter_id=matter.id).count()
    form = await read_upload_form(request, resources.settings, room=room)
    linked: list[Path] = []
    try:
        if form.refusals or not form.staged:
            errors = form.refusals or ["请先选择要上传的照片或 PDF 文件。"]
            return await _page(request, person, matter, [*errors, "这次的附件都没有保存。"], status=400)
        async with in_transaction():
            await keep(resources.settings, matter, person, form.staged, resources.clock.now(), linked)
    finally:
        await settle(resources.settings, form.staged, linked)
    raise web.HTTPSeeOther(ATTACHMENTS_PAGE.format(number=matter.number))


def disposition(attachment: Attachment) -> str:
    """``inline`` with the kept name (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    fallback = f"attachment-{attachment.id}.{EXTENSIONS.get(attachment.content_type, 'bin')}"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(attachment.filename, safe='')}"


@routes.get("/m/attachments/{id}")
async def open_attachment(request: web.Request) -> web.StreamResponse:
    """One attachment's bytes, for those who may see its matter."""
    person = await signed_in_person(request)
    raw = request.match_info["id"]
    attachment_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= len(str(MAX_ID)) else 0
    attachment = (
        await Attachment.get_or_none(id=attachment_id, organisation_id=person.organisation_id)
        if 0 < attachment_id <= MAX_ID
        else None
    )
    if attachment is None:
        raise PageError(404, "没有找到", "没有这个附件，或您无权查看。")
    if not await _may_open(person, attachment, today(request)):
        raise PageError(403, "没有权限", FORBIDDEN if attachment.complaint_id is None else NO_MATERIALS)
    path = file_of(request.app[RESOURCES].settings, attachment)
    if not await asyncio.to_thread(path.is_file):
        raise PageError(404, "没有找到", "附件的文件已不在服务器上，请联系活动办公室。")
    return web.FileResponse(path, headers=file_headers(attachment))


async def _may_open(person: Person, attachment: Attachment, on: dt.date) -> bool:
    """A matter's file: who may see the matter; a complaint's: who may see its materials."""
    if attachment.complaint_id is not None:
        complaint = await Complaint.get_or_none(id=attachment.complaint_id)
        return complaint is not None and await may_see_materials(complaint, person_roles(person), person)
    matter = await Matter.get_or_none(id=attachment.matter_id or 0)
    return matter is not None and await may_view(person, matter, today=on)


def file_headers(attachment: Attachment) -> dict[str, str]:
    """The headers an attachment is served with: its content's type, inline, never sniffed or cached."""
    return {
        "Content-Type": attachment.content_type,
        "Content-Disposition": disposition(attachment),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
    }
