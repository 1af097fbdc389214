"""Neutral cards: the structure every messenger renders in its own format, whatever the card's kind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    DEFAULT = "default"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class CardField:
    """One line of a card. Code addresses a field by ``key``; ``label`` is only ever shown."""

    key: str  # stable machine name, e.g. "applicant"
    label: str  # Chinese display label, e.g. "服务对象"
    value: str


@dataclass(frozen=True, slots=True)
class Button:
    """A button. ``choice`` is ``(question key, option id)`` when the tap also answers the card
    kind's choice (确认不能办（法律政策不允许）): one button per option, so no platform pre-selects one."""

    key: str  # the value of one of the card kind's actions, e.g. "can_do"; never an authority
    text: str
    style: ButtonStyle = ButtonStyle.DEFAULT
    choice: tuple[str, str] | None = None

    @property
    def selected(self) -> dict[str, str]:
        """What a tap on this button chooses (the click API's ``selected``)."""
        return {} if self.choice is None else {self.choice[0]: self.choice[1]}

    def wire_key(self) -> str:
        """One string for platforms whose tap sends back only a key (WeCom): ``key?question=option``.
        Keys must not repeat on a card, and several buttons share an action."""
        return self.key if self.choice is None else f"{self.key}?{self.choice[0]}={self.choice[1]}"


def split_wire_key(raw: str) -> tuple[str, dict[str, str]]:
    """``Button.wire_key`` back into the button's key and what it chose."""
    key, sep, rest = raw.partition("?")
    question, eq, option = rest.partition("=")
    if not sep or not eq or not question or not option:
        return raw, {}
    return key, {question: option}


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Selection:
    """A choice offered on the card. ``buttons`` are the keys of the buttons it goes with (a
    platform that cannot send a choice with a tap shows one button per option for those);
    empty means every button."""

    key: str
    title: str
    options: tuple[Option, ...]
    buttons: tuple[str, ...] = ()

    def goes_with(self, button: Button) -> bool:
        return not self.buttons or button.key in self.buttons


@dataclass(frozen=True, slots=True)
class CardLink:
    """A link the card opens in the platform's browser (“详情 / 填写意见” → the matter's page).
    ``url`` is absolute under ``TIJI_PUBLIC_URL`` (relative only in the simulator)."""

    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Card:
    """A card of any kind. ``ref`` is ours, unguessable, and stable across updates of the card."""

    ref: str
    source: str
    title: str
    fields: tuple[CardField, ...]
    body: str = ""
    buttons: tuple[Button, ...] = ()
    selection: Selection | None = None
    status: str = "待处理"
    closed: bool = False
    # How people quote the card's subject (a matter's number, TJ-2026-0001); "" when it has none.
    reference: str = ""
    links: tuple[CardLink, ...] = ()

    def value(self, key: str) -> str:
        """The value of the field named ``key`` ("" when the card has no such field)."""
        return next((f.value for f in self.fields if f.key == key), "")

    def as_dict(self) -> dict[str, object]:
        """Plain-JSON form (stored in the outbox, shown by the simulator)."""
        return {
            "ref": self.ref,
            "source": self.source,
            "title": self.title,
            "fields": [{"key": f.key, "label": f.label, "value": f.value} for f in self.fields],
            "body": self.body,
            "buttons": [_button_dict(b) for b in self.buttons],
            "selection": None if self.selection is None else _selection_dict(self.selection),
            "status": self.status,
            "closed": self.closed,
            "reference": self.reference,
            "links": [{"label": link.label, "url": link.url} for link in self.links],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Card:
        """The card ``as_dict`` stored (also the older ``[label, value]`` fields of queued rows)."""
        sel = data.get("selection")
        return cls(
            ref=str(data["ref"]),
            source=str(data.get("source", "")),
            title=str(data["title"]),
            fields=tuple(field_from_json(f) for f in data.get("fields") or []),
            body=str(data.get("body", "")),
            buttons=tuple(_button_from(b) for b in data.get("buttons") or []),
            selection=_selection_from(sel) if isinstance(sel, dict) else None,
            status=str(data.get("status", "")),
            closed=bool(data.get("closed", False)),
            # Rows queued before cards had kinds named the reference after the matter.
            reference=str(data.get("reference", data.get("matter_number", ""))),
            # Rows queued before cards had links have none.
            links=tuple(
                CardLink(str(link.get("label", "")), str(link.get("url", "")))
                for link in data.get("links") or []
                if isinstance(link, dict) and link.get("url")
            ),
        )


def field_from_json(raw: Any) -> CardField:
    """A stored field: ``{"key","label","value"}``, or a ``[label, value]`` pair written before
    fields had keys (outbox rows and simulator items from before the upgrade)."""
    if isinstance(raw, dict):
        return CardField(
            key=str(raw.get("key", "")), label=str(raw.get("label", "")), value=str(raw.get("value", ""))
        )
    label, value = raw
    return CardField(key="", label=str(label), value=str(value))


def _button_dict(button: Button) -> dict[str, object]:
    data: dict[str, object] = {"key": button.key, "text": button.text, "style": button.style.value}
    if button.selected:
        data["selected"] = button.selected
    return data


def _button_from(data: Mapping[str, Any]) -> Button:
    selected = data.get("selected")
    choice = next(iter(selected.items())) if isinstance(selected, dict) and selected else None
    return Button(
        key=str(data["key"]),
        text=str(data["text"]),
        style=ButtonStyle(data.get("style", "default")),
        choice=None if choice is None else (str(choice[0]), str(choice[1])),
    )


def _selection_dict(selection: Selection) -> dict[str, object]:
    return {
        "key": selection.key,
        "title": selection.title,
        "options": [{"id": o.id, "text": o.text} for o in selection.options],
        "buttons": list(selection.buttons),
    }


def _selection_from(data: Mapping[str, Any]) -> Selection:
    return Selection(
        key=str(data["key"]),
        title=str(data.get("title", "")),
        options=tuple(Option(id=str(o["id"]), text=str(o["text"])) for o in data["options"]),
        buttons=tuple(str(k) for k in data.get("buttons") or ()),
    )
