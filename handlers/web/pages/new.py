"""``/m/new``: the 说“不” form on a phone — the fields and checks of the chat command (``bot.matters.
approval_form``), the catalog of the person's section, 协办股室 to tick, photos or PDFs attached.

Submitting creates the matter through the chat command's own service (``submit_matter``, in
``dispatch_page_action``'s transaction: the same audit row and the same cards), the attachments kept
in that same transaction. The form carries a nonce: a reload or a double tap creates one matter and
each lands on its page. A refused field or file shows the form again, every value kept, each
message beside its field, nothing stored.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from aiohttp import web

from bot.matters.approval_form import (
    LIMITS,
    PHONE_LIMIT,
    FormProblem,
    FormRefused,
    check_form,
    form_choices,
)
from bot.matters.attachments import KINDS, MAX_FILES, keep, settle
from bot.matters.chain import ChainError
from bot.matters.links import MATTER_PAGE
from bot.matters.store import MatterForm
from bot.matters.submit import submit_matter
from bot.runtime.resources import RESOURCES, Resources
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person
from bot.web.uploads import FILE_FIELD, UploadForm, read_upload_form
from handlers.context import HandlerContext
from handlers.dispatch import NONCE, PageReply, PageStatus, dispatch_page_action
from models.matter import Matter
from models.org import Department, Person

routes = web.RouteTableDef()

TEXT_FIELDS = ("applicant", "phone", "subject", "request", "reason", "policy_basis", "catalog_code")
NONCE_TTL = 24 * 3600  # seconds the nonce's matter number is kept for a late reload
ACCEPT = ",".join(content_type for content_type, _, _ in KINDS)
GENERAL = ""  # the errors that belong to no one field
FILES_AGAIN = "附件没有保存，请改正后重新选择附件"


def _nonce_key(person: Person, nonce: str) -> str:
    return f"tiji:page-new:{person.organisation_id}:{person.id}:{nonce}"


async def _render(
    request: web.Request,
    person: Person,
    *,
    nonce: str,
    values: dict[str, str] | None = None,
    chosen: list[str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> web.Response:
    department = await Department.get_or_none(id=person.department_id) if person.department_id else None
    choices = await form_choices(person.organisation_id, person.department_id)
    context = {
        "person": person,
        "department": department,
        "choices": choices,
        "values": values or {},
        "chosen": set(chosen or ()),
        "errors": errors or {},
        "nonce": nonce,
        "limits": {**LIMITS, "phone": PHONE_LIMIT},
        "accept": ACCEPT,
        "max_files": MAX_FILES,
    }
    return await render_page(request, "pages/new.html.j2", context, status=status)


@routes.get("/m/new")
async def new_matter(request: web.Request) -> web.Response:
    """The empty form (with a fresh nonce)."""
    person = await signed_in_person(request)
    return await _render(request, person, nonce=secrets.token_urlsafe(24))


@routes.post("/m/new")
async def submit_new_matter(request: web.Request) -> web.Response:
    """Check everything, then create the matter with its attachments — or show what to fix."""
    person = await signed_in_person(request)
    resources = request.app[RESOURCES]
    form = await read_upload_form(request, resources.settings, room=MAX_FILES)
    linked: list[Path] = []
    try:
        return await _submit(request, resources, person, form, linked)
    finally:
        await settle(resources.settings, form.staged, linked)


async def _submit(
    request: web.Request, resources: Resources, person: Person, form: UploadForm, linked: list[Path]
) -> web.Response:
    nonce = form.first("nonce")
    if not NONCE.fullmatch(nonce):
        raise PageError(400, "页面已过期", "表单已过期。请刷新页面后重新填写提交。")
    done = await resources.redis.get(_nonce_key(person, nonce))
    if done:  # submitted already: the reload lands where the first submission went
        raise web.HTTPSeeOther(MATTER_PAGE.format(number=done))
    values = {name: form.first(name) for name in TEXT_FIELDS}
    chosen = [code for code in form.all("co_departments") if code]
    problems = [FormProblem(FILE_FIELD, message) for message in form.refusals]
    try:
        checked = await check_form(
            person.organisation_id, person.department_id, values, chosen, problems=problems
        )
    except FormRefused as refused:
        errors = refused.by_field()
        if form.staged or form.refusals:
            errors.setdefault(FILE_FIELD, []).append(FILES_AGAIN)
        return await _render(
            request, person, nonce=nonce, values=values, chosen=chosen, errors=errors, status=400
        )
    return await _create(request, resources, person, form, checked, linked, values, chosen)


async def _create(
    request: web.Request,
    resources: Resources,
    person: Person,
    form: UploadForm,
    checked: MatterForm,
    linked: list[Path],
    values: dict[str, str],
    chosen: list[str],
) -> web.Response:
    nonce = form.first("nonce")
    key = _nonce_key(person, nonce)

    async def create(ctx: HandlerContext) -> str:
        result = await submit_matter(ctx.batch, ctx.person, checked)
        matter = result.matter
        assert matter is not None  # noqa: S101 -- submit_matter always returns its matter
        await keep(resources.settings, matter, ctx.person, form.staged, ctx.now, linked)
        # Before the commit, so a duplicate refused by the inbox key finds it.
        await resources.redis.set(key, matter.number, ex=NONCE_TTL)
        return matter.number

    try:
        reply = await dispatch_page_action(resources, person, nonce, create, purpose="new")
    except ChainError as refused:  # the org's chain incomplete: nothing stored
        reply = PageReply(PageStatus.REFUSED, str(refused))
    if reply.status in (PageStatus.REFUSED, PageStatus.BUSY):  # e.g. no section; or lost every race
        errors = {GENERAL: [reply.message], **({FILE_FIELD: [FILES_AGAIN]} if form.staged else {})}
        status = 409 if reply.status is PageStatus.BUSY else 400
        return await _render(
            request, person, nonce=nonce, values=values, chosen=chosen, errors=errors, status=status
        )
    number = reply.message if reply.status is PageStatus.DONE else await _number_of(resources, person, key)
    raise web.HTTPSeeOther(MATTER_PAGE.format(number=number))


async def _number_of(resources: Resources, person: Person, key: str) -> str:
    """The matter a duplicate submission made (its number is kept under the nonce; without
    Redis's copy, the person's latest)."""
    number = await resources.redis.get(key)
    if number:
        return str(number)
    latest = await Matter.filter(submitter_id=person.id).order_by("-id").first()
    if latest is None:
        raise PageError(409, "请刷新页面", "这张表单已经提交过。请回到待办查看。")
    return latest.number
