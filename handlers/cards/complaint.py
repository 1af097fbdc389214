"""Taps on complaint cards: 签收 / 办结 / 申请延期 on a complaint assigned to a section."""

from __future__ import annotations

from bot.complaints.cards import COMPLAINT_CARD, ComplaintCardAction
from bot.complaints.taps import tap_complaint_card
from bot.complaints.workflow import TransitionError
from bot.errors import UserError
from handlers.cards.registry import CardRouter, CardTap
from handlers.context import HandlerContext

router = CardRouter()


@router.kind(COMPLAINT_CARD)
async def handle_complaint(ctx: HandlerContext, tap: CardTap[ComplaintCardAction]) -> str:
    try:
        return await tap_complaint_card(ctx.batch, ctx.person, tap.card, tap.action)
    except TransitionError as problem:
        raise UserError(str(problem)) from problem
