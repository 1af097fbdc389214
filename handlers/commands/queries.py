"""我的 (my submitted matters) and 查询 (one matter's timeline)."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.access import may_view
from bot.matters.additions import addition_lines
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
from models.org import Department, Person

router = CommandRouter()

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
    if not await may_view(ctx.person, matter, today=ctx.now.astimezone(ctx.tz).date()):  # as the page
        raise UserError(f"您无权查看 {matter.number}：只有提交人、审批人、协办股室负责人和办公室可以查看。")
    steps = (
        await DecisionStep.filter(matter_id=matter.id)
        .order_by("id")
        .prefetch_related("approver", "on_behalf_of", "decided_by")
    )
    department = await Department.get(id=matter.department_id)
    co_departments = await co_departments_of(matter)
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
