"""WeCom callback XML → neutral events. No DTDs, no entities: defusedxml's rules.

Parsed by expat with defusedxml's refusing handlers and the C ``TreeBuilder`` as its target (see
``_root``): defusedxml's own ``fromstring`` builds the tree in pure Python (it blocks the C
accelerator), which cost ~100 µs of each callback's two parses, about a third of the callback.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NoReturn
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

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


def _doctype(name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool) -> NoReturn:
    raise DTDForbidden(name, sysid, pubid)


def _entity(name: str, is_parameter: bool, value: str | None, base: str | None, sysid: str | None,
            pubid: str | None, notation: str | None) -> NoReturn:  # fmt: skip
    raise EntitiesForbidden(name, value, base, sysid, pubid, notation)


def _unparsed_entity(
    name: str, base: str | None, sysid: str | None, pubid: str | None, notation: str | None
) -> NoReturn:
    raise EntitiesForbidden(name, None, base, sysid, pubid, notation)


def _external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> NoReturn:
    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def _tree(xml: str | bytes) -> Element:
    """``defusedxml.ElementTree.fromstring(xml, forbid_dtd=True)``, with the tree built in C.

    The refusing handlers are defusedxml's (a DTD, an entity declaration or an external reference
    raises on sight, and pyexpat stops calling handlers after a raise, exactly as under
    defusedxml); the element handlers are the C ``TreeBuilder``'s own methods, so expat calls C
    without a Python frame per element. Namespaces are not processed (WeCom's XML has none)."""
    builder = TreeBuilder()
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _entity
    parser.UnparsedEntityDeclHandler = _unparsed_entity
    parser.ExternalEntityRefHandler = _external
    parser.buffer_text = True
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.Parse(xml, True)
    root: Element = builder.close()
    return root


def _root(xml: str | bytes) -> Element:
    try:
        root = _tree(xml)
    except (expat.ExpatError, DefusedXmlException, ValueError, AssertionError) as exc:
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
