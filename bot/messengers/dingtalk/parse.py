"""DingTalk payloads → neutral events (the same JSON arrives over Stream and over HTTP)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from bot.events import CardAction, FileKind, FileMessage, Sender, TextMessage
from models.enums import Platform

PLATFORM = Platform.DINGTALK
# The request params the card template's buttons send (templates/dingtalk/tiji-card.json).
ACTION_PARAM, QUESTION_PARAM, OPTION_PARAM = "action", "question", "option"
# Keys and option ids are short machine names; anything else is not from our template.
_TOKEN = re.compile(r"^[0-9A-Za-z_.:-]{1,64}$")
# The message types that carry a photo or a file (``content.downloadCode``; a file ``fileName``).
FILE_KINDS = {"picture": FileKind.IMAGE, "file": FileKind.FILE}
SINGLE_CHAT = "1"
GROUP_CHAT = "2"


class PayloadError(ValueError):
    """A callback body without the fields DingTalk always sends (ignored; nothing is applied)."""


def _required(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PayloadError(f"missing {key}")
    return value.strip()


def _message_text(data: Mapping[str, Any]) -> str | None:
    msgtype = data.get("msgtype")
    if msgtype == "text":
        text = data.get("text")
        content = text.get("content") if isinstance(text, dict) else None
        return content.strip() if isinstance(content, str) else None
    if msgtype == "richText":
        content = data.get("content")
        parts = content.get("richText") if isinstance(content, dict) else None
        if isinstance(parts, list):
            return "".join(
                p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
            ).strip()
    return None


def parse_bot_message(data: Mapping[str, Any]) -> TextMessage | FileMessage | None:
    """A bot message as a TextMessage (or a FileMessage for a picture or a file); None for what
    the bot does not act on (voice, group chatter).

    The sender is ``senderStaffId`` (the corp userId); ``senderId`` is an opaque encrypted id.
    """
    msg_id = _required(data, "msgId")
    staff_id = _required(data, "senderStaffId")
    conversation: str | None = None
    if str(data.get("conversationType", SINGLE_CHAT)) == GROUP_CHAT:
        if data.get("isInAtList") is False:
            return None  # DingTalk only delivers @bot group messages; be strict anyway
        conversation = _required(data, "conversationId")
    sender = Sender(PLATFORM, staff_id)
    key = f"dingtalk:msg:{msg_id}"
    kind = FILE_KINDS.get(str(data.get("msgtype")))
    if kind is not None:
        content = data.get("content")
        name = content.get("fileName") if isinstance(content, dict) else None
        filename = name[:200] if isinstance(name, str) else ""
        return FileMessage(sender, kind, key, filename=filename, conversation=conversation)
    text = _message_text(data)
    if text is None:
        return None
    return TextMessage(sender=sender, text=text, dedupe_key=key, conversation=conversation)


def _json_object(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            raise PayloadError("callback content is not JSON") from None
        if isinstance(decoded, dict):
            return decoded
    return {}


def _params(data: Mapping[str, Any]) -> dict[str, Any]:
    """The clicked button's request params, from ``content.cardPrivateData`` (or ``value``)."""
    for raw in (data.get("content"), data.get("value")):
        outer = _json_object(raw)
        private = outer.get("cardPrivateData")
        private = private if isinstance(private, dict) else outer
        params = private.get("params")
        if isinstance(params, dict) and params:
            return params
        ids = private.get("actionIds")
        if isinstance(ids, list) and ids and isinstance(ids[0], str):
            return {"action": ids[0]}
    return {}


def _token(value: Any) -> str | None:
    return value if isinstance(value, str) and _TOKEN.match(value) else None


def _selected(params: Mapping[str, Any]) -> dict[str, str]:
    """The choice a tap carries: ``question``/``option`` from the template's buttons; a card made
    from an earlier template names its choice directly (``{"refusal_category": "law"}``)."""
    selected: dict[str, str] = {}
    question, option = _token(params.get(QUESTION_PARAM)), _token(params.get(OPTION_PARAM))
    if question and option:
        selected[question] = option
    for name, value in params.items():
        if name not in (ACTION_PARAM, QUESTION_PARAM, OPTION_PARAM) and _token(name) and _token(value):
            selected.setdefault(name, value)
    return selected


def parse_card_callback(data: Mapping[str, Any]) -> CardAction:
    """A card button tap as a CardAction; the clicker is ``userId`` (never anything in the params).

    The key and the choice are passed through as sent: which keys a card accepts depends on its
    kind, and the router checks them (a forged key is refused there, in the clicker's chat).
    """
    out_track_id = _required(data, "outTrackId")
    user_id = _required(data, "userId")
    params = _params(data)
    action = _token(params.get(ACTION_PARAM))
    if action is None:
        raise PayloadError(f"card callback without a usable action {params.get(ACTION_PARAM)!r}")
    return CardAction(
        sender=Sender(PLATFORM, user_id),
        card_ref=out_track_id,
        key=action,
        dedupe_key=f"dingtalk:card:{out_track_id}:{user_id}:{action}",
        selected=_selected(params),
    )
