"""Stream-mode frames: parsing what the gateway sends and building the acks it expects.

A frame is ``{specVersion, type: SYSTEM|EVENT|CALLBACK, headers: {topic, messageId, ...}, data: "<json>"}``
and every one is acked with ``{code, message, headers: {messageId, contentType}, data: "<json>"}``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BOT_MESSAGE_TOPIC = "/v1.0/im/bot/messages/get"
CARD_CALLBACK_TOPIC = "/v1.0/card/instances/callback"
PING_TOPIC = "ping"
DISCONNECT_TOPIC = "disconnect"


class FrameError(ValueError):
    """A frame that is not valid JSON or lacks the fields of the protocol."""


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    topic: str
    message_id: str
    data: str

    def data_json(self) -> dict[str, Any]:
        """The ``data`` payload decoded; raises FrameError when it is not a JSON object."""
        try:
            value = json.loads(self.data) if self.data else {}
        except ValueError as exc:
            raise FrameError(f"frame data is not JSON: {exc}") from None
        if not isinstance(value, dict):
            raise FrameError("frame data is not a JSON object")
        return value


def parse_frame(raw: str | bytes) -> Frame:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise FrameError(f"frame is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise FrameError("frame is not a JSON object")
    headers = value.get("headers")
    if not isinstance(headers, dict):
        raise FrameError("frame has no headers")
    frame_type, topic, message_id = value.get("type"), headers.get("topic"), headers.get("messageId")
    data = value.get("data", "")
    if not isinstance(frame_type, str) or not isinstance(topic, str) or not isinstance(message_id, str):
        raise FrameError("frame lacks type, topic or messageId")
    if not message_id:
        raise FrameError("frame has an empty messageId")
    if not isinstance(data, str):
        data = json.dumps(data, ensure_ascii=False)
    return Frame(type=frame_type, topic=topic, message_id=message_id, data=data)


def _ack(frame: Frame, data: Mapping[str, Any] | str) -> str:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return json.dumps(
        {
            "code": 200,
            "message": "OK",
            "headers": {"messageId": frame.message_id, "contentType": "application/json"},
            "data": payload,
        },
        ensure_ascii=False,
    )


def callback_ack(frame: Frame, response: Mapping[str, Any] | None = None) -> str:
    """Ack of a CALLBACK frame; ``response`` is what DingTalk applies (a card callback's answer)."""
    return _ack(frame, {"response": dict(response or {})})


def event_ack(frame: Frame) -> str:
    return _ack(frame, {"status": "SUCCESS", "message": "success"})


def ping_ack(frame: Frame) -> str:
    """A ``ping`` is answered by echoing its data (``{"opaque": ...}``)."""
    return _ack(frame, frame.data or "{}")
