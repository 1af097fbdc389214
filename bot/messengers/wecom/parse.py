"""WeCom callback XML → neutral events. Parsed with defusedxml (no entities, no DTDs)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from bot.cards.card import split_wire_key
from bot.events import CardAction, Event, FileKind, FileMessage, Sender, TextMessage
from bot.messengers.wecom.cards import card_ref_from_task_id
from bot.messengers.wecom.crypto import CallbackRejected
from models.enums import Platform

PLATFORM = Platform.WECOM
_MAX_KEY = 255  # the inbox key column
# The message types that carry a photo or a file (``PicUrl``/``MediaId``; a file also ``FileName``).
FILE_KINDS = {"image": FileKind.IMAGE, "file": FileKind.FILE}


@dataclass(frozen=True, slots=True)
class Envelope:
    """The outer, still encrypted, POST body."""

    encrypt: str
    to_user: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One decrypted callback. ``event`` is None for what the router has no use for."""

    msg_type: str
    event_name: str
    from_user: str
    create_time: int
    dedupe_key: str
    event: Event | None = None
    task_id: str = ""
    response_code: str = ""


def _root(xml: str | bytes) -> Element:
    try:
        root = fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise CallbackRejected(f"malformed xml ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise CallbackRejected("malformed xml (root is not <xml>)")
    return root


def _text(root: Element, tag: str) -> str:
    node = root.find(tag)
    return (node.text or "").strip() if node is not None else ""


def _required(root: Element, tag: str) -> str:
    value = _text(root, tag)
    if not value:
        raise CallbackRejected(f"malformed xml (no {tag})")
    return value


def _bounded(key: str) -> str:
    if len(key) <= _MAX_KEY:
        return key
    return "wecom:sha256:" + hashlib.sha256(key.encode()).hexdigest()


def parse_envelope(body: bytes) -> Envelope:
    root = _root(body)
    return Envelope(
        encrypt=_required(root, "Encrypt"), to_user=_text(root, "ToUserName"), agent_id=_text(root, "AgentID")
    )


def selected_items(root: Element) -> dict[str, str]:
    """``SelectedItems`` as question key → chosen option; one item or many, always iterated."""
    chosen: dict[str, str] = {}
    for item in root.iterfind("SelectedItems/SelectedItem"):
        key = _text(item, "QuestionKey")
        options = [(o.text or "").strip() for o in item.iterfind("OptionIds/OptionId")]
        options = [o for o in options if o]
        if key and options:
            chosen[key] = options[0]
    return chosen


def parse_message(xml: str) -> Inbound:
    """The decrypted message. Text → ``TextMessage``, image/file → ``FileMessage``,
    ``template_card_event`` → ``CardAction``."""
    root = _root(xml)
    msg_type = _required(root, "MsgType")
    from_user = _required(root, "FromUserName")
    try:
        create_time = int(_required(root, "CreateTime"))
    except ValueError:
        raise CallbackRejected("malformed xml (CreateTime is not a number)") from None
    sender = Sender(PLATFORM, from_user)
    event_name = _text(root, "Event")

    if msg_type == "text":
        msg_id = _required(root, "MsgId")
        key = _bounded(f"wecom:msg:{msg_id}")
        text = _text(root, "Content")
        return Inbound(msg_type, "", from_user, create_time, key, TextMessage(sender, text, key))

    if msg_type in FILE_KINDS:  # a photo or a file: the reply says where to attach it
        msg_id = _required(root, "MsgId")
        key = _bounded(f"wecom:msg:{msg_id}")
        message = FileMessage(sender, FILE_KINDS[msg_type], key, filename=_text(root, "FileName")[:200])
        return Inbound(msg_type, "", from_user, create_time, key, message)

    if msg_type == "event" and event_name == "template_card_event":
        task_id = _required(root, "TaskId")
        event_key = _required(root, "EventKey")
        key = _bounded(f"wecom:card:{from_user}:{create_time}:{task_id}:{event_key}")
        button_key, chosen = split_wire_key(event_key)  # a button per option carries its choice
        action = CardAction(
            sender=sender,
            card_ref=card_ref_from_task_id(task_id),
            key=button_key,
            dedupe_key=key,
            selected={**selected_items(root), **chosen},
        )
        return Inbound(
            msg_type,
            event_name,
            from_user,
            create_time,
            key,
            action,
            task_id=task_id,
            response_code=_text(root, "ResponseCode"),
        )

    # Other messages and events (enter_agent, voice, location, …): acknowledged, nothing to apply.
    msg_id = _text(root, "MsgId")
    key = f"wecom:msg:{msg_id}" if msg_id else f"wecom:event:{from_user}:{create_time}:{event_name}"
    return Inbound(msg_type, event_name, from_user, create_time, _bounded(key))
