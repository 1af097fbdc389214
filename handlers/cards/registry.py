"""Card taps routed by the card's kind: one ``CardRouter`` per module, joined once (aiogram-style).

A tap names a card by its ref; the card (in the sender's organisation) says its kind; the kind's
declaration (``CardKindSpec``) parses the button key into its action enum and checks the choice;
the kind's handler gets the typed tap. Platforms pass keys and choices through untouched, so a
forged or stale key is refused here, in Chinese, and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.cards import CardKindSpec
from bot.errors import UserError
from bot.events import CardAction
from handlers.context import HandlerContext
from models.cards import CardInstance, card_by_ref

log = logging.getLogger(__name__)

A = TypeVar("A", bound=StrEnum)

UNKNOWN_CARD = "找不到这张审批卡，它可能已失效。发送“待办”可重新获取待审批的卡片。"
UNKNOWN_BUTTON = "无法识别的按钮，请发送“待办”重新获取审批卡片。"
UNHANDLED_KIND = "这张卡片暂时无法处理，请稍后再试或联系办公室。"


@dataclass(frozen=True, slots=True)
class CardTap(Generic[A]):
    """A tap parsed against its card's kind. Who tapped is ``ctx.person``: the only authority."""

    card: CardInstance
    action: A
    choice: StrEnum | None = None  # the option chosen in the kind's choice (its options enum)


CardHandler = Callable[[HandlerContext, CardTap[A]], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class CardRoute(Generic[A]):
    spec: CardKindSpec[A]
    handler: CardHandler[A]

    def parse(self, card: CardInstance, event: CardAction) -> CardTap[A]:
        """The typed tap, or a ``UserError`` saying what is wrong with the button or choice."""
        action = self.spec.action(event.key)
        if action is None:
            raise UserError(UNKNOWN_BUTTON)
        choice = self.spec.choice
        if choice is None:
            return CardTap(card, action)
        raw = event.selected.get(choice.key, "")
        option = choice.option(raw) if raw else None
        if raw and option is None:
            raise UserError(f"{choice.title}选项无效，请在卡片上重新选择。")
        return CardTap(card, action, option)


class CardRouter:
    """The handlers of some card kinds, one per kind."""

    def __init__(self, *routers: CardRouter) -> None:
        self._routes: dict[str, CardRoute[Any]] = {}
        for router in routers:
            self.include(router)

    def kind(self, spec: CardKindSpec[A]) -> Callable[[CardHandler[A]], CardHandler[A]]:
        """Decorator: ``handler`` handles taps on cards of ``spec``'s kind."""

        def register(handler: CardHandler[A]) -> CardHandler[A]:
            self.add(CardRoute(spec, handler))
            return handler

        return register

    def add(self, route: CardRoute[Any]) -> None:
        key = str(route.spec.kind)
        if key in self._routes:
            raise ValueError(f"card kind {key!r} already has a handler")
        self._routes[key] = route

    def include(self, other: CardRouter) -> None:
        for route in other._routes.values():
            self.add(route)

    def kinds(self) -> frozenset[str]:
        return frozenset(self._routes)

    async def handle(self, ctx: HandlerContext, event: CardAction) -> str:
        """Apply a tap by ``ctx.person``; the reply for the chat. Bad input raises ``UserError``."""
        card = await card_by_ref(event.card_ref, ctx.organisation.id)
        if card is None:
            raise UserError(UNKNOWN_CARD)
        route = self._routes.get(str(card.kind))
        if route is None:
            # Stored by a process that knows a kind this one does not: a deployment out of step.
            log.error("card %s has kind %r, which no handler is registered for", card.ref, card.kind)
            raise UserError(UNHANDLED_KIND)
        return await route.handler(ctx, route.parse(card, event))
