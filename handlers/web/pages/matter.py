"""``/m/matters/{number}``: a matter's whole record on a phone, and — for whoever holds its open
step — 能办 / 提级 / 确认不能办 with the 研判意见 in one POST, through the same service as a card
tap (``handlers.dispatch.dispatch_page_action``, idempotent by the nonce the page was rendered
with). Only those ``bot.matters.access.may_view`` allows see it; everyone else, and every number
that does not exist in the viewer's organisation, gets the same 403 with no data.
The submitter's own actions (回复, 催办, 撤回) are in ``matter_actions``."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from bot.complaints.about import complaints_about
from bot.complaints.queries import LedgerScope
from bot.matters.access import may_view, open_step_of
from bot.matters.attachments import attachments_of
from bot.matters.numbers import normalise_number
from bot.matters.page_decision import MAX_WORDS, PAGE_ACTIONS, PageDecision, decide_from_page
from bot.matters.record import record_of
from bot.matters.workflow import LEVEL_ACTIONS, MatterState, StepStatus
from bot.org.rules import rules_for_unit
from bot.runtime.resources import RESOURCES
from bot.web.console import current_viewer
from bot.web.console_forms import posted, today
from bot.web.csrf import check_csrf
from bot.web.errors import PageError
from bot.web.pages import render_page
from bot.web.sessions import get_session, signed_in_person
from handlers.context import HandlerContext
from handlers.dispatch import PageReply, PageStatus, dispatch_page_action
from models.enums import (
    ACTION_TITLES,
    REFUSAL_CATEGORY_TITLES,
    REPLY_METHOD_TITLES,
    WITHDRAW_REASON_TITLES,
    Action,
    RefusalCategory,
)
from models.matter import Matter
from models.org import Person

routes = web.RouteTableDef()

FLASH_KEY = "flash"
MAX_ID_DIGITS = 12  # a step id typed longer than this is not one
MAX_NUMBER = 32  # characters of a number in the path; anything longer is not one
NOT_FOUND = "没有找到这个事项，或者您无权查看它。请核对编号，或从卡片上的“详情”重新打开。"
NOTHING_OPEN = "此环节已处理：您现在没有待审批的环节。"
FLASH_CLASSES = {
    PageStatus.DONE: "notice-ok",
    PageStatus.HANDLED: "notice-info",
    PageStatus.REFUSED: "notice-error",
    PageStatus.BUSY: "notice-error",
}
Form = MultiDictProxy[str | bytes | Any]


async def viewable_matter(request: web.Request) -> tuple[Person, Matter]:
    """The signed-in person and the matter of the path, if they may see it; else the 403 page
    (the same for a number that does not exist, or exists in another organisation)."""
    person = await signed_in_person(request)
    number = normalise_number(request.match_info.get("number", "")[:MAX_NUMBER])
    matter = None
    if number is not None:
        matter = await Matter.get_or_none(organisation_id=person.organisation_id, number=number)
    if matter is None or not await may_view(person, matter, today=today(request)):
        raise PageError(403, "没有权限", NOT_FOUND)
    return person, matter


def text_field(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def page_url(matter: Matter) -> str:
    return f"/m/matters/{matter.number}"


async def done(request: web.Request, matter: Matter, reply: PageReply) -> web.Response:
    """303 back to the page, the result shown there once (a reload does not post again)."""
    session = await get_session(request)
    session[FLASH_KEY] = {"status": reply.status.value, "text": reply.message}
    raise web.HTTPSeeOther(page_url(matter))


async def apply_on_page(
    request: web.Request,
    person: Person,
    matter: Matter,
    form: Form,
    handler: Callable[[HandlerContext], Awaitable[str]],
    *,
    purpose: str,
) -> web.Response:
    """Run ``handler`` once for the form's nonce, then back to the page with its message."""
    nonce = text_field(form, "nonce")
    reply = await dispatch_page_action(request.app[RESOURCES], person, nonce, handler, purpose=purpose)
    return await done(request, matter, reply)


async def render_matter(
    request: web.Request,
    person: Person,
    matter: Matter,
    *,
    status: int = 200,
    form: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> web.Response:
    """The page: the record, the viewer's open step's form, the submitter's actions."""
    resources = request.app[RESOURCES]
    now = resources.clock.now()
    record = await record_of(matter, resources.settings, now)
    step = await open_step_of(person, matter, at=now, tz=resources.settings.tz)
    session = await get_session(request)
    flash = session.pop(FLASH_KEY, None)
    state = MatterState(matter.state)
    mine = person.id == matter.submitter_id
    actions = [a for a in LEVEL_ACTIONS.get(step.level, ()) if a in PAGE_ACTIONS] if step else []
    context: dict[str, Any] = {
        "viewer": person,
        "record": record,
        "matter": matter,
        "step": step,
        "awaiting_text": step is not None and step.status == StepStatus.AWAITING_TEXT,
        "chosen_category": step.refusal_category if step is not None else None,
        "actions": [(a.value, ACTION_TITLES[a]) for a in actions],
        "may_refuse": Action.CONFIRM_NO in actions,
        "categories": [(c.value, t) for c, t in REFUSAL_CATEGORY_TITLES.items()],
        "form": form or {},
        "errors": errors or {},
        "nonce": secrets.token_urlsafe(16),
        "flash": flash if isinstance(flash, dict) else None,
        "flash_classes": {s.value: c for s, c in FLASH_CLASSES.items()},
        "mine": mine,
        "may_reply": mine and state in (MatterState.RESOLVED, MatterState.REFUSED),
        "may_nudge": mine and state is MatterState.PENDING,
        "may_withdraw": mine and state is MatterState.PENDING,
        "reply_methods": list(REPLY_METHOD_TITLES.items()),
        "withdraw_reasons": list(WITHDRAW_REASON_TITLES.items()),
        "attachments": await attachments_of(matter),
        "complaints": await complaints_about(matter, await _ledger_of(request)),
        "tz": resources.settings.tz,
        "unit_rules": await rules_for_unit(matter.unit_id),
        "may_attach": (mine or step is not None) and state not in (MatterState.CLOSED, MatterState.WITHDRAWN),
        "max_words": MAX_WORDS,
    }
    response = await render_page(request, "pages/matter.html.j2", context, status=status)
    # A person's matter: kept by no cache, and a page from the back button is fetched afresh
    # (with a fresh nonce) rather than shown as it was.
    response.headers["Cache-Control"] = "no-store"
    return response


async def _ledger_of(request: web.Request) -> LedgerScope | None:
    """The ledger the viewer may open from the page (a console role), else None."""
    viewer = await current_viewer(request)
    if viewer is None:
        return None
    return LedgerScope(
        viewer.organisation_id, viewer.whole_organisation, viewer.unit_ids, viewer.department_ids
    )


@routes.get("/m/matters/{number}")
async def matter_page(request: web.Request) -> web.Response:
    """The matter's page."""
    person, matter = await viewable_matter(request)
    return await render_matter(request, person, matter)


def decision_errors(form: Form, awaiting_text: bool) -> tuple[PageDecision | None, dict[str, str]]:
    """The form as a decision, or the messages to show beside its fields (nothing is stored)."""
    errors: dict[str, str] = {}
    try:
        action = Action(text_field(form, "action"))
    except ValueError:
        action = None
    if action not in PAGE_ACTIONS:
        errors["action"] = "请选择能办、提级或确认不能办。"
    step_text = text_field(form, "step")
    comment, way_forward = text_field(form, "comment").strip(), text_field(form, "way_forward").strip()
    category_text = text_field(form, "refusal_category")
    category = (
        RefusalCategory(category_text) if category_text in RefusalCategory.__members__.values() else None
    )
    for name, value in (("comment", comment), ("way_forward", way_forward)):
        if len(value) > MAX_WORDS:
            errors[name] = f"内容太长（{len(value)} 字），请控制在 {MAX_WORDS} 字以内。"
    if action is Action.CONFIRM_NO:
        if category is None and not awaiting_text:
            errors["refusal_category"] = "请选择不能办的原因类别。"
        if not comment:
            errors.setdefault("comment", "确认不能办须写明不能办理由：为什么确实办不成。")
        if not way_forward:
            errors.setdefault("way_forward", "确认不能办须写明说“行”建议：怎样才能办成。")
    if not step_text.isdigit() or len(step_text) > MAX_ID_DIGITS:
        errors["action"] = "页面已过期，请刷新页面后重新提交。"
    if errors or action is None:
        return None, errors
    decision = PageDecision(int(step_text), action, comment, category, way_forward)
    return decision, errors


@routes.post("/m/matters/{number}/decide")
async def decide(request: web.Request) -> web.Response:
    """能办 / 提级 / 确认不能办 with the comment, once."""
    form = await posted(request)
    await check_csrf(request, form)
    person, matter = await viewable_matter(request)
    step = await open_step_of(
        person, matter, at=request.app[RESOURCES].clock.now(), tz=request.app[RESOURCES].settings.tz
    )
    decision, errors = decision_errors(form, step is not None and step.status == StepStatus.AWAITING_TEXT)
    if decision is None and step is None:  # nothing of theirs is open now: say so, store nothing
        return await done(request, matter, PageReply(PageStatus.HANDLED, NOTHING_OPEN))
    if decision is None:
        kept = {k: text_field(form, k) for k in ("action", "comment", "way_forward", "refusal_category")}
        return await render_matter(request, person, matter, status=400, form=kept, errors=errors)

    async def handler(ctx: HandlerContext) -> str:
        return (await decide_from_page(ctx.batch, ctx.person, matter, decision)).message

    return await apply_on_page(request, person, matter, form, handler, purpose="decide")
