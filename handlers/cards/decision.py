"""Taps on decision cards: 能办 / 提级 / 确认不能办 on a matter's step."""

from __future__ import annotations

from bot.matters.cards import DECISION_CARD
from bot.matters.decide import decide_by_card
from bot.matters.workflow import Action
from handlers.cards.registry import CardRouter, CardTap
from handlers.context import HandlerContext

router = CardRouter()


@router.kind(DECISION_CARD)
async def handle_decision(ctx: HandlerContext, tap: CardTap[Action]) -> str:
    result = await decide_by_card(ctx.batch, ctx.person, tap.card, tap.action, tap.choice)
    return result.message
