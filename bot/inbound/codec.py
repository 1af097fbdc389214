"""The neutral events (``bot.events``) as JSON, for the ``inbound_event.payload`` column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.events import CardAction, Event, FileKind, FileMessage, Sender, TextMessage
from models.enums import Platform


def sender_key(sender: Sender) -> str:
    """The column one sender's events are ordered by: ``<platform>:<user id>``."""
    return f"{sender.platform.value}:{sender.user_id}"


def _sender(data: Mapping[str, Any]) -> Sender:
    return Sender(Platform(data["platform"]), str(data["user_id"]))


def encode(event: Event, extras: Mapping[str, str]) -> dict[str, object]:
    """The event and the platform's extras (what its apply step needs, e.g. WeCom's ResponseCode)."""
    sender = {"platform": event.sender.platform.value, "user_id": event.sender.user_id}
    body: dict[str, object]
    if isinstance(event, TextMessage):
        body = {"type": "text", "text": event.text, "conversation": event.conversation}
    elif isinstance(event, CardAction):
        body = {
            "type": "card",
            "card_ref": event.card_ref,
            "key": event.key,
            "selected": dict(event.selected),
        }
    else:
        body = {"type": "file", "kind": event.kind.value, "filename": event.filename,
                "conversation": event.conversation}  # fmt: skip
    return {**body, "sender": sender, "dedupe_key": event.dedupe_key, "extras": dict(extras)}


def decode(payload: Mapping[str, Any]) -> tuple[Event, dict[str, str]]:
    """``encode``'s inverse. Raises ``ValueError``/``KeyError`` for a payload it did not write."""
    sender = _sender(payload["sender"])
    key = str(payload["dedupe_key"])
    extras = {str(k): str(v) for k, v in (payload.get("extras") or {}).items()}
    kind = payload["type"]
    event: Event
    if kind == "text":
        event = TextMessage(sender, str(payload["text"]), key, payload.get("conversation"))
    elif kind == "card":
        selected = {str(k): str(v) for k, v in (payload.get("selected") or {}).items()}
        event = CardAction(sender, str(payload["card_ref"]), str(payload["key"]), key, selected)
    elif kind == "file":
        event = FileMessage(sender, FileKind(payload["kind"]), key, str(payload.get("filename") or ""),
                            payload.get("conversation"))  # fmt: skip
    else:
        raise ValueError(f"unknown inbound event type {kind!r}")
    return event, extras
