"""我的 (my submitted matters) and 查询 (one matter's timeline)."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.workflow import LEVEL_TITLES, STATE_TITLES, MatterState
from bot.texts import render_text
from handlers.commands.common import find_matter, split_number
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
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
    if not _may_view(ctx, matter, steps):
        raise UserError(f"您无权查看 {matter.number}：只有提交人、审批人和办公室可以查看。")
    submitter = await Person.get(id=matter.submitter_id)
    department = await Department.get(id=matter.department_id)
    replies = (
        await ReplyRecord.filter(matter_id=matter.id).order_by("recorded_at").prefetch_related("recorded_by")
    )
    return render_text(
        "timeline.md.j2",
        matter=matter,
        submitter=submitter,
        department=department,
        steps=steps,
        replies=replies,
        state_title=STATE_TITLES[MatterState(matter.state)],
        level_titles=LEVEL_TITLES,
        decision_words=ACTION_TITLES,
        step_words=STEP_WORDS,
        tz=ctx.tz,
    )


def _may_view(ctx: HandlerContext, matter: Matter, steps: list[DecisionStep]) -> bool:
    person = ctx.person
    if matter.submitter_id == person.id or VIEWER_ROLES.intersection(person.roles or []):
        return True
    return any(person.id in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) for s in steps)
