"""A kind of card, declared beside its domain: its actions (an enum), their titles, its choice.

A button's key is the value of one of the kind's actions, so the payload a platform sends back is
parsed into that enum (or refused) in one place, and the Chinese titles exist once per kind. The
handlers route a tap by the card's kind (``handlers/cards``); messengers never need to know kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from bot.cards.card import Button, ButtonStyle, Option, Selection

A = TypeVar("A", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Choice(Generic[A]):
    """A choice a kind's card offers with some of its actions (不能办的原因 with 确认不能办)."""

    key: str
    title: str
    options: Mapping[str, str]  # option id → Chinese text, in the order shown
    actions: frozenset[A]

    def selection(self) -> Selection:
        return Selection(
            key=self.key,
            title=self.title,
            options=tuple(Option(k, v) for k, v in self.options.items()),
            buttons=tuple(sorted(a.value for a in self.actions)),
        )


@dataclass(frozen=True, slots=True)
class CardKindSpec(Generic[A]):
    """What a kind of card is: ``titles`` lists the actions its buttons may carry, with their text.

    ``kind`` is the value stored in ``CardInstance.kind``.
    """

    kind: StrEnum
    actions: type[A]
    titles: Mapping[A, str]
    styles: Mapping[A, ButtonStyle] = field(default_factory=dict)
    choice: Choice[A] | None = None

    def title(self, action: A) -> str:
        return self.titles[action]

    def button(self, action: A) -> Button:
        return Button(action.value, self.titles[action], self.styles.get(action, ButtonStyle.DEFAULT))

    def controls(self, actions: Iterable[A]) -> tuple[tuple[Button, ...], Selection | None]:
        """The buttons for ``actions``, and the choice when one of them goes with it."""
        chosen = tuple(actions)
        selection = None
        if self.choice is not None and self.choice.actions.intersection(chosen):
            selection = self.choice.selection()
        return tuple(self.button(a) for a in chosen), selection

    def action(self, key: str) -> A | None:
        """The action a button key names, or None when no button of this kind carries it."""
        try:
            action = self.actions(key)
        except ValueError:
            return None
        return action if action in self.titles else None
