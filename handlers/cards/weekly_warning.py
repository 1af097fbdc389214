"""The weekly 预警 card (a leader's red and yellow items, linking to the list): nothing to tap."""

from __future__ import annotations

from bot.reports.warning_card import WEEKLY_WARNING_CARD, WeeklyWarningAction
from handlers.cards.registry import CardRouter, CardTap
from handlers.context import HandlerContext

router = CardRouter()


@router.kind(WEEKLY_WARNING_CARD)
async def handle_weekly_warning(ctx: HandlerContext, tap: CardTap[WeeklyWarningAction]) -> str:
    return "请点开卡片上的“打开预警清单”查看并督办；也可在管理后台“事项”页筛选预警事项。"
