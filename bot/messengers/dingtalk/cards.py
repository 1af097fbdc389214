"""A neutral Card → the variables of the tiji card template (``templates/dingtalk/``).

Every value is a string (DingTalk's ``cardParamMap`` accepts nothing else) of at most 1 KB. Which
buttons the template shows follows ``status``:

- ``pending``: 能办 and 提级;
- ``final`` (level 4): 能办, 确认不能办 and the refusal-category selection;
- ``closed``: no buttons; ``status_text`` and ``last_action`` say what happened.
"""

from __future__ import annotations

import re

from bot.cards import Card

VALUE_LIMIT_BYTES = 1000
NUMBER_RE = re.compile(r"TJ-\d{4}-\d+")

# Card field label → template variable.
FIELD_VARIABLES = {
    "服务对象": "applicant",
    "事项": "matter",
    "拟说不理由": "reason",
    "当前层级": "level",
    "回复期限": "due",
}

TEMPLATE_VARIABLES = (
    "title",
    "number",
    "applicant",
    "matter",
    "reason",
    "level",
    "due",
    "status",
    "status_text",
    "last_action",
    "body",
)


def _clip(value: str) -> str:
    raw = value.encode()
    if len(raw) <= VALUE_LIMIT_BYTES:
        return value
    return raw[: VALUE_LIMIT_BYTES - 3].decode(errors="ignore") + "…"


def card_phase(card: Card) -> str:
    """The machine status the template's button visibility depends on."""
    keys = {button.key for button in card.buttons}
    if card.closed or not keys:
        return "closed"
    if "confirm_no" in keys:
        return "final"
    return "pending"


def card_variables(card: Card) -> dict[str, str]:
    """``cardParamMap`` for ``card`` (all template variables, strings only)."""
    values = dict.fromkeys(TEMPLATE_VARIABLES, "")
    for label, value in card.fields:
        variable = FIELD_VARIABLES.get(label)
        if variable:
            values[variable] = value
    number = card.matter_number
    if not number:
        match = NUMBER_RE.search(card.title)
        number = match.group(0) if match else ""
    values.update(
        title=card.title,
        number=number,
        status=card_phase(card),
        status_text=card.status,
        last_action=card.extra.get("last_action") or card.status,
        body=card.body,
    )
    return {key: _clip(str(value)) for key, value in values.items()}
