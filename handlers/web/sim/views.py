"""JSON shapes of the simulator API (DESIGN §4): conversation items, cards, people."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.cards.card import field_from_json
from models.org import Department, Person, Unit
from models.simulator import SimMessage


def card_view(card: dict[str, object] | None) -> dict[str, object] | None:
    """A stored ``Card.as_dict()`` as the API shows it: the contract's keys (``fields`` as
    ``[label, value]`` pairs; ``matter_number`` is the card's reference, a decision card's matter
    number), and ``named_fields`` (field key → value) for scripts and tests."""
    if card is None:
        return None
    stored_buttons, stored_fields = card.get("buttons"), card.get("fields")
    buttons = stored_buttons if isinstance(stored_buttons, list) else []
    fields = [field_from_json(f) for f in stored_fields] if isinstance(stored_fields, list) else []
    selection = card.get("selection")
    stored_links = card.get("links")
    links = [
        {"label": str(link.get("label", "")), "url": str(link.get("url", ""))}
        for link in (stored_links if isinstance(stored_links, list) else [])
        if isinstance(link, dict) and link.get("url")
    ]
    return {
        "ref": str(card.get("ref", "")),
        "title": str(card.get("title", "")),
        "fields": [[f.label, f.value] for f in fields],
        "named_fields": {f.key: f.value for f in fields if f.key},
        "buttons": [
            {
                "key": str(b.get("key", "")),
                "text": str(b.get("text", "")),
                "style": str(b.get("style", "default")),
                # What the tap chooses (a button per option): send it as the click's ``selected``.
                "selected": b.get("selected") if isinstance(b.get("selected"), dict) else {},
            }
            for b in buttons
        ],
        "selection": selection if isinstance(selection, dict) else None,
        "closed": bool(card.get("closed", False)),
        "status": str(card.get("status", "")),
        "body": str(card.get("body", "")),
        "matter_number": str(card.get("reference", card.get("matter_number", ""))),
        "links": links,
    }


def item_view(message: SimMessage, tz: ZoneInfo) -> dict[str, object]:
    """One conversation item; ``attachment`` links to ``GET /sim/api/files/{id}``."""
    attachment = None
    if message.attachment_name is not None:
        attachment = {
            "name": message.attachment_name,
            "url": f"/sim/api/files/{message.id}",
            "size": len(message.attachment or b""),
        }
    return {
        "id": message.id,
        "seq": message.seq,
        "at": message.at.astimezone(tz).isoformat(),
        "direction": message.direction,
        "kind": message.kind,
        "text": message.text,
        "card": card_view(message.card),
        "attachment": attachment,
    }


def person_view(person: Person, department: Department | None, unit: Unit | None) -> dict[str, object]:
    return {
        "handle": person.handle,
        "name": person.name,
        "title": person.title,
        "department": "" if department is None else department.name,
        "department_code": "" if department is None else department.code,
        "unit": "" if unit is None else unit.name,
        "roles": list(person.roles or []),
    }


def click_label(card: dict[str, object] | None, key: str, selected: dict[str, str]) -> str:
    """How a tap reads in the conversation: the button's text and the chosen options (a button
    that carries its own choice, one of several sharing an action, is named by its own text)."""
    label = key
    options: dict[str, str] = {}
    if card is not None:
        buttons = card.get("buttons")
        for button in buttons if isinstance(buttons, list) else []:
            if not isinstance(button, dict) or button.get("key") != key:
                continue
            own = button.get("selected")
            if own and own == selected:
                return f"［点击］{button.get('text', key)}"
            if label == key:
                label = str(button.get("text", key))
        selection = card.get("selection")
        if isinstance(selection, dict):
            options = {str(o["id"]): str(o["text"]) for o in selection.get("options", [])}
    chosen = [options.get(v, v) for v in selected.values()]
    return f"［点击］{label}" + (f"（{'、'.join(chosen)}）" if chosen else "")
