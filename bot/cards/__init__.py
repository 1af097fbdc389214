"""Neutral cards (what messengers render) and card kinds (what the domain declares for them)."""

from bot.cards.card import Button, ButtonStyle, Card, CardField, CardLink, Option, Selection
from bot.cards.kinds import CardKindSpec, Choice

__all__ = [
    "Button",
    "ButtonStyle",
    "Card",
    "CardField",
    "CardKindSpec",
    "CardLink",
    "Choice",
    "Option",
    "Selection",
]
