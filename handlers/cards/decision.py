"""Taps on decision cards: 能办 / 提级 / 确认不能办 on a matter's step."""

from __future__ import annotations

from bot.matters.cards import DECISION_CARD
from bot.matters.decide import decide_by_card
from handlers.cards.registry import CardRouter, CardTap
from handlers.context import HandlerContext
from models.enums import Action, RefusalCategory

router = CardRouter()


@router.kind(DECISION_CARD)
async def handle_decision(ctx: HandlerContext, tap: CardTap[Action]) -> str:
    category = tap.choice if isinstance(tap.choice, RefusalCategory) else None
    result = await decide_by_card(ctx.batch, ctx.person, tap.card, tap.action, category)
    return result.message
