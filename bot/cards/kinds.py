"""A kind of card, declared beside its domain: its actions (an enum), their titles, its choice.

A button's key is the value of one of the kind's actions, so the payload a platform sends back is
parsed into that enum (or refused) in one place, and the Chinese titles exist once per kind. The
handlers route a tap by the card's kind (``handlers/cards``); messengers never need to know kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.cards.card import Button, ButtonStyle, Option, Selection

A = TypeVar("A", bound=StrEnum)
Opt = TypeVar("Opt", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Choice(Generic[A, Opt]):
    """A choice a kind's card offers with some of its actions (不能办的原因 with 确认不能办): its
    options are an enum (an option's id is its value) and their Chinese texts."""

    key: str
    title: str
    options: type[Opt]
    texts: Mapping[Opt, str]  # in the order shown; the options a card offers
    actions: frozenset[A]
    # Short words for the option on its button (WeCom shows about 10 characters of a button).
    button_texts: Mapping[Opt, str] = field(default_factory=dict)

    def button_text(self, action_title: str, option: Opt) -> str:
        return f"{action_title}·{self.button_texts.get(option, self.texts[option])}"

    def option(self, raw: str) -> Opt | None:
        """The option an id names, or None when the card offers no such option."""
        try:
            option = self.options(raw)
        except ValueError:
            return None
        return option if option in self.texts else None

    def selection(self) -> Selection:
        return Selection(
            key=self.key,
            title=self.title,
            options=tuple(Option(o.value, text) for o, text in self.texts.items()),
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
    choice: Choice[A, Any] | None = None

    def title(self, action: A) -> str:
        return self.titles[action]

    def button(self, action: A) -> Button:
        return Button(action.value, self.titles[action], self.styles.get(action, ButtonStyle.DEFAULT))

    def controls(self, actions: Iterable[A]) -> tuple[Button, ...]:
        """The buttons for ``actions``: an action that goes with the kind's choice becomes one
        button per option (“确认不能办·法律政策”…), so the choice is made by the tap itself and
        nothing is ever pre-selected (WeCom's selection always pre-selects its first option). Cards
        stored before may still carry a ``Selection``; messengers keep rendering it."""
        buttons: list[Button] = []
        for action in actions:
            choice = self.choice
            if choice is None or action not in choice.actions:
                buttons.append(self.button(action))
                continue
            style = self.styles.get(action, ButtonStyle.DEFAULT)
            buttons += [
                Button(action.value, choice.button_text(self.titles[action], option), style,
                       (choice.key, option.value))
                for option in choice.texts
            ]  # fmt: skip
        return tuple(buttons)

    def action(self, key: str) -> A | None:
        """The action a button key names, or None when no button of this kind carries it."""
        try:
            action = self.actions(key)
        except ValueError:
            return None
        return action if action in self.titles else None
