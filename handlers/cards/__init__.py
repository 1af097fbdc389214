"""Card taps by card kind: one router per kind's module; ``build_card_router`` joins them."""

from __future__ import annotations

from handlers.cards import complaint, decision, morning, weekly_warning
from handlers.cards.registry import CardRoute, CardRouter, CardTap

__all__ = ["CardRoute", "CardRouter", "CardTap", "build_card_router"]


def build_card_router() -> CardRouter:
    return CardRouter(decision.router, morning.router, complaint.router, weekly_warning.router)
