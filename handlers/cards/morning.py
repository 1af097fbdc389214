"""The morning card (a person's open steps, linking to 我的待办): it has no buttons to tap."""

from __future__ import annotations

from bot.matters.cards import MORNING_CARD, MorningAction
from handlers.cards.registry import CardRouter, CardTap
from handlers.context import HandlerContext

router = CardRouter()


@router.kind(MORNING_CARD)
async def handle_morning(ctx: HandlerContext, tap: CardTap[MorningAction]) -> str:
    return "请点开卡片上的“打开我的待办”查看并处理；也可发送“待办”重新获取审批卡片。"
