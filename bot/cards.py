"""Neutral cards: the structure every messenger renders in its own format."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ButtonStyle(StrEnum):
    PRIMARY = "primary"
    DEFAULT = "default"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Button:
    key: str  # an action name such as "can_do"; never an authority
    text: str
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class Selection:
    key: str
    title: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class Card:
    """A decision card. ``ref`` is ours, unguessable, and stable across updates of the card."""

    ref: str
    source: str
    title: str
    fields: tuple[tuple[str, str], ...]
    body: str = ""
    buttons: tuple[Button, ...] = ()
    selection: Selection | None = None
    status: str = "待处理"
    closed: bool = False
    matter_number: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Plain-JSON form (stored in the outbox, shown by the simulator)."""
        return {
            "ref": self.ref,
            "source": self.source,
            "title": self.title,
            "fields": [list(pair) for pair in self.fields],
            "body": self.body,
            "buttons": [{"key": b.key, "text": b.text, "style": b.style.value} for b in self.buttons],
            "selection": None
            if self.selection is None
            else {
                "key": self.selection.key,
                "title": self.selection.title,
                "options": [{"id": o.id, "text": o.text} for o in self.selection.options],
            },
            "status": self.status,
            "closed": self.closed,
            "matter_number": self.matter_number,
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Card:
        sel = data.get("selection")
        selection = None
        if isinstance(sel, dict):
            selection = Selection(
                key=str(sel["key"]),
                title=str(sel.get("title", "")),
                options=tuple(Option(id=str(o["id"]), text=str(o["text"])) for o in sel["options"]),
            )
        buttons_raw = data.get("buttons") or []
        fields_raw = data.get("fields") or []
        extra_raw = data.get("extra") or {}
        assert isinstance(buttons_raw, list) and isinstance(fields_raw, list)
        assert isinstance(extra_raw, dict)
        return cls(
            ref=str(data["ref"]),
            source=str(data.get("source", "")),
            title=str(data["title"]),
            fields=tuple((str(k), str(v)) for k, v in fields_raw),
            body=str(data.get("body", "")),
            buttons=tuple(
                Button(key=str(b["key"]), text=str(b["text"]), style=ButtonStyle(b.get("style", "default")))
                for b in buttons_raw
            ),
            selection=selection,
            status=str(data.get("status", "")),
            closed=bool(data.get("closed", False)),
            matter_number=str(data.get("matter_number", "")),
            extra={str(k): str(v) for k, v in extra_raw.items()},
        )
