"""The submitter's actions on the matter's page: record the reply to the applicant (电话/书面, the
number called, what was said), 催办 (at most once per ``NUDGE_WORKING_HOURS``), and withdraw
with a reason. Each is one POST through ``dispatch_page_action`` (once per rendered page), the
same services as the chat's 回复 / 催办 / 撤回, then 303 back to the page with the result."""

from __future__ import annotations

from aiohttp import web

from bot.matters.closing import record_reply, withdraw
from bot.matters.forms import normalise_phone
from bot.matters.nudge import nudge
from bot.matters.page_decision import MAX_WORDS
from bot.web.console_forms import posted
from bot.web.csrf import check_csrf
from handlers.context import HandlerContext
from handlers.dispatch import PageReply, PageStatus
from handlers.web.pages.matter import (
    Form,
    apply_on_page,
    done,
    render_matter,
    text_field,
    viewable_matter,
)
from models.enums import ReplyMethod, WithdrawReason
from models.matter import Matter
from models.org import Person

routes = web.RouteTableDef()

NOT_YOURS = "只有提交人（首问责任人）可以这样做。"


async def _submitter_only(request: web.Request) -> tuple[Person, Matter, Form]:
    form = await posted(request)
    await check_csrf(request, form)
    person, matter = await viewable_matter(request)
    if person.id != matter.submitter_id:
        await done(request, matter, PageReply(PageStatus.REFUSED, f"{matter.number}：{NOT_YOURS}"))
    return person, matter, form


def reply_errors(form: Form) -> tuple[tuple[ReplyMethod, str, str] | None, dict[str, str]]:
    """The reply form as (method, callee number, summary), or the messages beside its fields."""
    errors: dict[str, str] = {}
    method_text = text_field(form, "method")
    method = ReplyMethod(method_text) if method_text in ReplyMethod.__members__.values() else None
    if method is None:
        errors["method"] = "请选择回复方式：电话或书面。"
    callee_text = text_field(form, "callee_phone").strip()
    callee = normalise_phone(callee_text) if callee_text else ""
    if method is ReplyMethod.PHONE and not callee:
        errors["callee_phone"] = "请填写拨打的电话号码（手机 11 位或座机），如 13800000000。"
    content = text_field(form, "content").strip()
    if not content:
        errors["content"] = "请填写回复内容：向申请人说明了什么。"
    elif len(content) > MAX_WORDS:
        errors["content"] = f"内容太长（{len(content)} 字），请控制在 {MAX_WORDS} 字以内。"
    if errors or method is None:
        return None, errors
    return (method, callee or "", content), errors


@routes.post("/m/matters/{number}/reply")
async def reply(request: web.Request) -> web.Response:
    """登记回复: how the applicant was answered; the matter closes."""
    person, matter, form = await _submitter_only(request)
    parsed, errors = reply_errors(form)
    if parsed is None:
        kept = {f"reply_{k}": text_field(form, k) for k in ("method", "callee_phone", "content")}
        return await render_matter(request, person, matter, status=400, form=kept, errors=errors)
    method, callee, content = parsed

    async def handler(ctx: HandlerContext) -> str:
        current = await Matter.get(id=matter.id)
        return (await record_reply(ctx.batch, ctx.person, current, method, content, callee)).message

    return await apply_on_page(request, person, matter, form, handler, purpose="reply")


@routes.post("/m/matters/{number}/nudge")
async def nudge_holders(request: web.Request) -> web.Response:
    """催办: the holders of the open steps are reminded (the service keeps its rate limit)."""
    person, matter, form = await _submitter_only(request)

    async def handler(ctx: HandlerContext) -> str:
        return (await nudge(ctx.batch, ctx.person, await Matter.get(id=matter.id))).message

    return await apply_on_page(request, person, matter, form, handler, purpose="nudge")


@routes.post("/m/matters/{number}/withdraw")
async def withdraw_matter(request: web.Request) -> web.Response:
    """撤回 with a reason (申请人撤回申请 / 误报 / 其他, whose words are required)."""
    person, matter, form = await _submitter_only(request)
    reason_text = text_field(form, "reason")
    note = text_field(form, "note").strip()
    errors: dict[str, str] = {}
    reason = WithdrawReason(reason_text) if reason_text in WithdrawReason.__members__.values() else None
    if reason is None:
        errors["reason"] = "请选择撤回原因。"
    elif reason is WithdrawReason.OTHER and not note:
        errors["note"] = "选择“其他”时请写明撤回原因。"
    if len(note) > MAX_WORDS:
        errors["note"] = f"内容太长（{len(note)} 字），请控制在 {MAX_WORDS} 字以内。"
    if errors or reason is None:
        kept = {"withdraw_reason": reason_text, "withdraw_note": text_field(form, "note")}
        return await render_matter(request, person, matter, status=400, form=kept, errors=errors)
    chosen = reason

    async def handler(ctx: HandlerContext) -> str:
        return (await withdraw(ctx.batch, ctx.person, await Matter.get(id=matter.id), chosen, note)).message

    return await apply_on_page(request, person, matter, form, handler, purpose="withdraw")
