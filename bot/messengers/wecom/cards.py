"""Neutral ``Card`` → WeCom ``template_card`` (``button_interaction``), and task ids.

A WeCom task_id must be unique within the app forever, so each delivery of a card gets its own:
``<ref>@<10 hex of the delivery's dedupe key>``. It is stable across retries of one delivery
(WeCom's duplicate check then holds), different for a fresh card, and maps back to the card's
``ref`` by cutting at ``@`` (refs are url-safe tokens and never contain ``@``).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from bot.cards import ButtonStyle, Card

TASK_ID_RE = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
_REF_RE = re.compile(r"^[0-9A-Za-z_\-]{1,100}$")
MAX_TASK_ID_BYTES = 128
MAX_BUTTONS = 6
MAX_HORIZONTAL = 6
MAX_KEY_BYTES = 1024
MAX_OPTIONS = 10
MAX_OPTION_ID_BYTES = 128
MAX_JUMPS = 3  # jump_list of a text_notice card
# Lengths WeCom shows without cutting (longer text is cut by the client, often mid-word).
_TITLE_CHARS = 26
_DESC_CHARS = 30
_SUBTITLE_CHARS = 112
_KEYNAME_CHARS = 5
_VALUE_CHARS = 26

_STYLES = {ButtonStyle.PRIMARY: 1, ButtonStyle.DEFAULT: 2, ButtonStyle.DANGER: 3}


def task_base(ref: str) -> str:
    """The ref itself when WeCom accepts it; otherwise a derived id (resolved back via Redis)."""
    if _REF_RE.match(ref):
        return ref
    return "h" + hashlib.sha256(ref.encode()).hexdigest()[:40]


def task_id_for(ref: str, dedupe_key: str) -> str:
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:10]
    return f"{task_base(ref)}@{digest}"


def card_ref_from_task_id(task_id: str) -> str:
    """The ``task_base`` a task id was made from (equal to the card's ref for valid refs)."""
    return task_id.split("@", 1)[0]


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_MD = re.compile(r"[*_`>#]+|\[([^\]]*)\]\([^)]*\)")


def plain(markdown: str) -> str:
    """Markdown reduced to plain text for the card's sub title."""
    return _MD.sub(lambda m: m.group(1) or "", markdown)


def render(card: Card, task_id: str) -> dict[str, Any]:
    """The ``template_card`` object for ``message/send`` and ``update_template_card``: a
    ``button_interaction`` card, or a ``text_notice`` for a card with links and nothing to tap
    (the morning card). A link opens from the card itself (``card_action`` type 1) and from a url
    button when the six buttons leave room."""
    if card.links and not card.buttons and not card.closed:
        return _notice(card, task_id)
    template: dict[str, Any] = {
        "card_type": "button_interaction",
        "source": {"desc": _cut(card.source, 13), "desc_color": 0},
        "main_title": {"title": _cut(card.title, _TITLE_CHARS), "desc": _cut(card.status, _DESC_CHARS)},
        "task_id": task_id,
        "horizontal_content_list": [
            {"keyname": _cut(f.label, _KEYNAME_CHARS), "value": _cut(f.value, _VALUE_CHARS) or "—"}
            for f in card.fields[:MAX_HORIZONTAL]
        ],
        "button_list": [
            {"text": _cut(b.text, 10), "style": _STYLES.get(b.style, 1), "key": b.wire_key()}
            for b in card.buttons[:MAX_BUTTONS]
        ],
    }
    # Fields beyond the six WeCom shows side by side lead the sub title, so none is lost.
    extra = " ".join(f"{f.label}：{f.value}" for f in card.fields[MAX_HORIZONTAL:] if f.value)
    body = " ".join(part for part in (extra, plain(card.body).strip()) if part)
    if body:
        template["sub_title_text"] = _cut(body, _SUBTITLE_CHARS)
    if card.selection is not None and card.selection.options:
        template["button_selection"] = {
            "question_key": card.selection.key,
            "title": _cut(card.selection.title, 10),
            "option_list": [
                {"id": o.id, "text": _cut(o.text, 10)} for o in card.selection.options[:MAX_OPTIONS]
            ],
            "selected_id": card.selection.options[0].id,
        }
    if card.links:
        template["card_action"] = {"type": 1, "url": card.links[0].url}
        room = MAX_BUTTONS - len(template["button_list"])
        template["button_list"] += [
            {"type": 1, "text": _cut(link.label, 10), "style": 2, "url": link.url}
            for link in card.links[:room]
        ]
    if card.closed:
        # Greys out every button and shows the outcome in their place.
        template["replace_text"] = _cut(card.status, 10) or "已处理"
    if not template["button_list"]:
        # A button card needs at least one button; a closed card shows only its replace_text.
        template["button_list"] = [{"text": _cut(card.status or "已处理", 10), "style": 2, "key": "noop"}]
        template.setdefault("replace_text", _cut(card.status or "已处理", 10))
    return template


def _notice(card: Card, task_id: str) -> dict[str, Any]:
    """A ``text_notice`` card: tapping it (or one of its jump links) opens the first link."""
    template: dict[str, Any] = {
        "card_type": "text_notice",
        "source": {"desc": _cut(card.source, 13), "desc_color": 0},
        "main_title": {"title": _cut(card.title, _TITLE_CHARS), "desc": _cut(card.status, _DESC_CHARS)},
        "task_id": task_id,
        "horizontal_content_list": [
            {"keyname": _cut(f.label, _KEYNAME_CHARS), "value": _cut(f.value, _VALUE_CHARS) or "—"}
            for f in card.fields[:MAX_HORIZONTAL]
        ],
        "jump_list": [
            {"type": 1, "title": _cut(link.label, 13), "url": link.url} for link in card.links[:MAX_JUMPS]
        ],
        "card_action": {"type": 1, "url": card.links[0].url},
    }
    body = plain(card.body).strip()
    if body:
        template["sub_title_text"] = _cut(body, _SUBTITLE_CHARS)
    return template


def _notice_problems(template: dict[str, Any]) -> list[str]:
    found = []
    if not (template.get("card_action") or {}).get("url"):
        found.append("text_notice 缺少 card_action 链接")
    if len(template.get("jump_list") or []) > MAX_JUMPS:
        found.append(f"jump_list 超过 {MAX_JUMPS} 项")
    return found


def problems(template: dict[str, Any]) -> list[str]:
    """What WeCom would reject in ``template`` (checked before sending)."""
    found: list[str] = []
    task_id = str(template.get("task_id", ""))
    if not TASK_ID_RE.match(task_id) or len(task_id.encode()) > MAX_TASK_ID_BYTES:
        found.append(f"task_id {task_id!r} 不合规（仅 0-9A-Za-z_-@，≤128 字节）")
    if template.get("card_type") == "text_notice":
        return found + _notice_problems(template)
    buttons = template.get("button_list") or []
    if not 1 <= len(buttons) <= MAX_BUTTONS:
        found.append(f"按钮数 {len(buttons)} 不在 1–{MAX_BUTTONS} 之内")
    if any(b.get("type") == 1 and not b.get("url") for b in buttons):
        found.append("链接按钮缺少 url")
    keys = [str(b.get("key", "")) for b in buttons if b.get("type") != 1]
    if any(not k or len(k.encode()) > MAX_KEY_BYTES for k in keys):
        found.append("按钮 key 为空或超过 1024 字节")
    if len(set(keys)) != len(keys):
        found.append("按钮 key 重复")
    if len(template.get("horizontal_content_list") or []) > MAX_HORIZONTAL:
        found.append("horizontal_content_list 超过 6 项")
    selection = template.get("button_selection")
    if selection:
        options = selection.get("option_list") or []
        if not 1 <= len(options) <= MAX_OPTIONS:
            found.append("button_selection 选项数不在 1–10 之内")
        if any(len(str(o.get("id", "")).encode()) > MAX_OPTION_ID_BYTES for o in options):
            found.append("button_selection 选项 id 超过 128 字节")
        qk = str(selection.get("question_key", ""))
        if not qk or len(qk.encode()) > MAX_KEY_BYTES or qk in keys:
            found.append("button_selection 的 question_key 为空、过长或与按钮 key 重复")
    return found
