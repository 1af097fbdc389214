"""Neutral inbound events: what every messenger adapter turns its payloads into.

Handlers only ever see these; no XML, no platform JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from models.enums import Platform


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an event, as the platform names them (resolved to a Person by the router)."""

    platform: Platform
    user_id: str


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A chat message to the bot (1:1, or a group message that addresses the bot)."""

    sender: Sender
    text: str
    dedupe_key: str
    conversation: str | None = None  # group id when the message came from a group


@dataclass(frozen=True, slots=True)
class CardAction:
    """A tap on a card button. ``key`` carries no authority: ``sender`` decides who acts.

    ``key`` and ``selected`` (choice key → option id) are as the platform sent them; the card's kind
    parses them (``handlers/cards``), so adapters need not know which keys a card has.
    """

    sender: Sender
    card_ref: str
    key: str
    dedupe_key: str
    selected: Mapping[str, str] = field(default_factory=dict)


class FileKind(StrEnum):
    IMAGE = "image"  # a photo (WeCom ``image``, DingTalk ``picture``)
    FILE = "file"


@dataclass(frozen=True, slots=True)
class FileMessage:
    """A photo or a file sent to the bot in chat. Its bytes stay on the platform: the bot answers
    with the page where the person attaches it to a matter."""

    sender: Sender
    kind: FileKind
    dedupe_key: str
    filename: str = ""  # as the platform names it, when it does (files)
    conversation: str | None = None  # group id when it came from a group


Event = TextMessage | CardAction | FileMessage


@dataclass(frozen=True, slots=True)
class Reply:
    """The immediate answer to an event (the router also queues messages through the outbox)."""

    ok: bool
    message: str


class EventSink(Protocol):
    """Where adapters hand neutral events (``handlers.router.Router`` in the running product)."""

    async def handle(self, event: Event) -> Reply: ...
