"""我的 (my submitted matters) and 查询 (one matter's timeline)."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.additions import addition_lines
from bot.matters.chain import standing_in_for
from bot.matters.closing import withdraw_words
from bot.matters.co_departments import co_departments_of
from bot.matters.nudge import NUDGE_ACTION
from bot.matters.workflow import LEVEL_TITLES, STATE_TITLES, MatterState
from bot.texts import render_text
from handlers.commands.common import find_matter, split_number
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.audit import AuditEntry
from models.catalog import CatalogItem
from models.enums import ACTION_TITLES, StepStatus
from models.matter import DecisionStep, Matter, ReplyRecord
from models.org import Department, Person, Role

router = CommandRouter()

VIEWER_ROLES = {Role.OFFICE.value, Role.DISCIPLINE.value, Role.ADMIN.value, Role.PRINCIPAL.value}
STEP_WORDS = {
    StepStatus.PENDING: "待处理",
    StepStatus.AWAITING_TEXT: "待填写理由",
    StepStatus.SUPERSEDED: "已结束",
    StepStatus.OVERDUE: "逾期未答复",
}


@router.command("我的", "mine", usage="我的：我提交的事项及进度", rank=30)
async def handle_mine(ctx: HandlerContext, body: str) -> str:
    matters = (
        await Matter.filter(organisation_id=ctx.organisation.id, submitter_id=ctx.person.id)
        .order_by("-id")
        .limit(20)
    )
    if not matters:
        return "您还没有提交过说“不”事项。发送“说不”获取审批表模板。"
    return render_text(
        "mine.md.j2",
        matters=matters,
        state_titles={s.value: t for s, t in STATE_TITLES.items()},
        level_titles=LEVEL_TITLES,
        tz=ctx.tz,
    )


@router.command("查询", "show", usage="查询 编号：事项的全过程", rank=40)
async def handle_show(ctx: HandlerContext, body: str) -> str:
    number, _ = split_number(body, "查询 编号")
    matter = await find_matter(ctx, number)
    steps = (
        await DecisionStep.filter(matter_id=matter.id)
        .order_by("id")
        .prefetch_related("approver", "on_behalf_of", "decided_by")
    )
    department = await Department.get(id=matter.department_id)
    co_departments = await co_departments_of(matter)
    if not await _may_view(ctx, matter, steps, [department, *co_departments]):
        raise UserError(f"您无权查看 {matter.number}：只有提交人、审批人、协办股室负责人和办公室可以查看。")
    submitter = await Person.get(id=matter.submitter_id)
    replies = (
        await ReplyRecord.filter(matter_id=matter.id).order_by("recorded_at").prefetch_related("recorded_by")
    )
    nudges = await AuditEntry.filter(
        organisation_id=matter.organisation_id, subject=matter.number, action=NUDGE_ACTION
    ).order_by("seq")
    return render_text(
        "timeline.md.j2",
        matter=matter,
        submitter=submitter,
        department=department,
        co_departments=[d.name for d in co_departments],
        catalog_item=await CatalogItem.get_or_none(id=matter.catalog_item_id)
        if matter.catalog_item_id
        else None,
        steps=steps,
        replies=replies,
        additions=await addition_lines(matter, ctx.tz),
        withdraw_words=withdraw_words(matter),
        nudges=[(n.at, str(n.data.get("holders", ""))) for n in nudges],
        for_submitter=matter.submitter_id == ctx.person.id,
        state_title=STATE_TITLES[MatterState(matter.state)],
        level_titles=LEVEL_TITLES,
        decision_words=ACTION_TITLES,
        step_words=STEP_WORDS,
        tz=ctx.tz,
    )


async def _may_view(
    ctx: HandlerContext, matter: Matter, steps: list[DecisionStep], departments: list[Department]
) -> bool:
    """The submitter, the office (and 纪检组, admins, principals), anyone on a step, and the heads and
    deputies of the matter's section and its 协办股室 (or whoever stands in for them today)."""
    person = ctx.person
    if matter.submitter_id == person.id or VIEWER_ROLES.intersection(person.roles or []):
        return True
    if any(person.id in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) for s in steps):
        return True
    leaders = {i for d in departments for i in (d.head_id, d.deputy_id) if i is not None}
    acting_for = await standing_in_for(person.id, ctx.now.astimezone(ctx.tz).date())
    return person.id in leaders or not leaders.isdisjoint(acting_for)
