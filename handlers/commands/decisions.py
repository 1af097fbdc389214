"""待办 (my pending decisions, cards re-sent) and 意见 (the words of my decision)."""

from __future__ import annotations

from tortoise.expressions import Q

from bot.errors import UserError
from bot.matters.chain import standing_in_for
from bot.matters.comments import give_text
from bot.matters.holders import open_step_holders
from bot.matters.step_cards import issue_step_card
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, StepStatus
from bot.texts import format_local
from handlers.commands.common import find_matter, split_number
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.matter import DecisionStep, Matter

router = CommandRouter()

COMMENT_USAGE = "意见 编号 内容（不能办时：意见 编号 理由：… 建议：…）"


@router.command("待办", "todo", usage="待办：我待审批的事项（重新发送审批卡片）", rank=20)
async def handle_todo(ctx: HandlerContext, body: str) -> str:
    steps = await _held_steps(ctx)
    if not steps:
        return "您目前没有待审批的说“不”事项。"
    lines = [f"您有 {len(steps)} 件待审批事项，审批卡片已重新发送："]
    for step in steps:
        matter = await Matter.get(id=step.matter_id)
        await issue_step_card(ctx.batch, step, ctx.person)
        waiting = "（待填写不能办理由）" if step.status is StepStatus.AWAITING_TEXT else ""
        lines.append(
            f"- {matter.number} {matter.subject}｜{LEVEL_TITLES[step.level]}｜回复期限 {format_local(matter.due_at, ctx.tz)}{waiting}"
        )
    return "\n".join(lines)


async def _held_steps(ctx: HandlerContext) -> list[DecisionStep]:
    """The open steps ``ctx.person`` may decide now: held now (as the leader's current stand-in,
    resolved at this moment) or belonging to them as the leader."""
    me = ctx.person.id
    acting_for = list(await standing_in_for(me, ctx.now.astimezone(ctx.tz).date()))
    mine = Q(approver_id=me) | Q(on_behalf_of_id=me)
    if acting_for:
        mine |= Q(approver_id__in=acting_for) | Q(on_behalf_of_id__in=acting_for)
    candidates = (
        await DecisionStep.filter(mine, organisation_id=ctx.organisation.id, status__in=list(OPEN_STEP_STATUSES))
        .order_by("opened_at", "id")
    )  # fmt: skip
    held: list[DecisionStep] = []
    for step in candidates:
        matter = await Matter.get(id=step.matter_id)
        holder = (await open_step_holders(matter, ctx.now, tz=ctx.tz)).get(step.id)
        if me in (holder, step.on_behalf_of_id or step.approver_id):
            held.append(step)
    return held


@router.command(
    "意见", "comment", usage="意见 编号 内容：填写我的审批意见（不能办时：理由：… 建议：…）", rank=70
)
async def handle_comment(ctx: HandlerContext, body: str) -> str:
    number, text = split_number(body, COMMENT_USAGE)
    matter = await find_matter(ctx, number)
    if not text:
        raise UserError(f"缺少意见内容。用法：{COMMENT_USAGE}")
    result = await give_text(ctx.batch, ctx.person, matter, text)
    return result.message
