"""A neutral Card → the variables of the tiji card template (``templates/dingtalk/tiji-card.json``).

The template knows no card kind: it shows the title, up to ``FIELD_SLOTS`` fields (label：value),
the status, the body and up to ``BUTTON_SLOTS`` buttons, and every slot is filled from the card's
typed fields and buttons. A DingTalk tap cannot carry a choice made on the card, so a button that
goes with the card's selection becomes one button per option ("确认不能办（法律政策不允许）") whose
request params carry the selection's key and the option (``question`` / ``option``).

Every variable is sent every time, unused slots empty and hidden, so an update (merged by key)
never leaves a button of the card's previous state. Values are strings (DingTalk's
``cardParamMap`` accepts nothing else) of at most 1 KB.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import quote

from bot.cards import ButtonStyle, Card

log = logging.getLogger(__name__)

VALUE_LIMIT_BYTES = 1000
FIELD_SLOTS = 6
BUTTON_SLOTS = 6
OPEN, CLOSED = "open", "closed"
COLORS = {ButtonStyle.PRIMARY: "blue", ButtonStyle.DEFAULT: "gray", ButtonStyle.DANGER: "red"}

LINK_SLOTS = 1
# The desktop client opens a link in its side panel; the phone client in its own browser.
SIDE_PANEL = "dingtalk://dingtalkclient/page/link?url={url}&pc_slide=true"

FIELD_PARTS = ("label", "value", "shown")
LINK_PARTS = ("text", "url", "shown")
BUTTON_PARTS = ("text", "action", "question", "option", "color", "shown")
TEMPLATE_VARIABLES = (
    "title",
    "status",
    "status_text",
    "last_action",
    "body",
    *(f"field_{n}_{part}" for n in range(1, FIELD_SLOTS + 1) for part in FIELD_PARTS),
    *(f"button_{n}_{part}" for n in range(1, BUTTON_SLOTS + 1) for part in BUTTON_PARTS),
    *(f"link_{n}_{part}" for n in range(1, LINK_SLOTS + 1) for part in LINK_PARTS),
)


def side_panel_url(url: str) -> str:
    """``url`` opened inside DingTalk: in the side panel on the desktop (``pc_slide``)."""
    return SIDE_PANEL.format(url=quote(url, safe=""))


@dataclass(frozen=True, slots=True)
class ButtonSlot:
    """One button as the template shows it, and the params its tap sends back."""

    text: str
    action: str
    question: str = ""
    option: str = ""
    color: str = "gray"


def _clip(value: str) -> str:
    raw = value.encode()
    if len(raw) <= VALUE_LIMIT_BYTES:
        return value
    return raw[: VALUE_LIMIT_BYTES - 3].decode(errors="ignore") + "…"


def button_slots(card: Card) -> list[ButtonSlot]:
    """The buttons ``card`` shows on DingTalk (none once it is closed)."""
    if card.closed:
        return []
    slots: list[ButtonSlot] = []
    selection = card.selection
    for button in card.buttons:
        color = COLORS.get(button.style, "gray")
        if button.choice is not None:
            slots.append(ButtonSlot(button.text, button.key, button.choice[0], button.choice[1], color))
        elif selection is not None and selection.options and selection.goes_with(button):
            slots += [
                ButtonSlot(f"{button.text}（{o.text}）", button.key, selection.key, o.id, color)
                for o in selection.options
            ]
        else:
            slots.append(ButtonSlot(button.text, button.key, color=color))
    if len(slots) > BUTTON_SLOTS:
        log.warning(
            "card %s needs %d DingTalk buttons; the template has %d", card.ref, len(slots), BUTTON_SLOTS
        )
    return slots[:BUTTON_SLOTS]


def card_phase(card: Card) -> str:
    """``closed`` (the template shows the outcome instead of buttons) or ``open``."""
    return _phase(card, button_slots(card))


def _phase(card: Card, slots: list[ButtonSlot]) -> str:
    # A card with only a link (the morning card) stays open: it has nothing to show as an outcome.
    return CLOSED if card.closed or not (slots or card.links) else OPEN


def card_variables(card: Card) -> dict[str, str]:
    """``cardParamMap`` for ``card`` (every template variable, strings only)."""
    slots = button_slots(card)
    values = {
        "title": card.title,
        "status": _phase(card, slots),
        "status_text": card.status,
        "last_action": card.status,
        # Fields beyond the template's slots lead the body, so none is lost.
        "body": "\n".join(
            [*(f"{f.label}：{f.value}" for f in card.fields[FIELD_SLOTS:] if f.value), card.body]
        ).strip(),
    }
    for n in range(1, FIELD_SLOTS + 1):
        field = card.fields[n - 1] if n <= len(card.fields) else None
        values[f"field_{n}_label"] = "" if field is None else field.label
        values[f"field_{n}_value"] = "" if field is None else field.value or "—"
        values[f"field_{n}_shown"] = "false" if field is None else "true"
    for n in range(1, BUTTON_SLOTS + 1):
        slot = slots[n - 1] if n <= len(slots) else ButtonSlot("", "")
        values.update(
            {
                f"button_{n}_text": slot.text,
                f"button_{n}_action": slot.action,
                f"button_{n}_question": slot.question,
                f"button_{n}_option": slot.option,
                f"button_{n}_color": slot.color,
                f"button_{n}_shown": "true" if slot.action else "false",
            }
        )
    for n in range(1, LINK_SLOTS + 1):
        link = card.links[n - 1] if n <= len(card.links) else None
        # An over-long address is dropped rather than cut (a cut link opens the wrong page).
        url = "" if link is None else side_panel_url(link.url)
        shown = bool(url) and len(url.encode()) <= VALUE_LIMIT_BYTES
        values[f"link_{n}_text"] = "" if not shown or link is None else link.label
        values[f"link_{n}_url"] = url if shown else ""
        values[f"link_{n}_shown"] = "true" if shown else "false"
    return {key: _clip(value) for key, value in values.items()}
