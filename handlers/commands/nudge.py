"""催办: the submitter nudges whoever holds the open step of their matter."""

from __future__ import annotations

from bot.matters.nudge import NUDGE_WORKING_HOURS, nudge
from handlers.commands.common import find_matter, split_number
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext

router = CommandRouter()


@router.command(
    "催办",
    "nudge",
    usage=f"催办 编号：提醒正在审批我所提事项的领导（每 {NUDGE_WORKING_HOURS} 个工作小时一次）",
    rank=45,
)
async def handle_nudge(ctx: HandlerContext, body: str) -> str:
    number, _ = split_number(body, "催办 编号")
    matter = await find_matter(ctx, number)
    return (await nudge(ctx.batch, ctx.person, matter)).message
