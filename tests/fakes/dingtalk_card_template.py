"""Shows a card as DingTalk's card platform would from ``templates/dingtalk/tiji-card.json``: which
texts and buttons are visible for a ``cardParamMap``, and what a tap on a button sends back.

Written from the template file (the constructs its editor export uses), not from the adapter, so a
test that taps "what the person sees" proves the template, the variables and the parser agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "dingtalk" / "tiji-card.json"


@cache
def components() -> list[dict[str, Any]]:
    document = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    editor = json.loads(document["editorData"])
    children: list[dict[str, Any]] = editor["schema"]["componentsTree"][0]["children"]
    return children


def _text(prop: dict[str, Any], data: dict[str, str]) -> str:
    if prop["type"] == "variableValue":
        return data.get(prop["variable"], "")
    if prop.get("valueType") == "concat":
        return "".join(
            part["value"] if part["type"] == "fixed" else data.get(part["variable"], "")
            for part in prop["concat"]
        )
    return str(prop.get("content", ""))


def _visible(rule: dict[str, Any], data: dict[str, str]) -> bool:
    if rule["valueType"] == "fixed":
        return bool(rule["value"])
    condition = rule["condition"]
    results = [
        data.get(c["variable"], "") == c["value"] for c in condition["conditions"] if c["op"] == "equal"
    ]
    return any(results) if condition["op"] == "or" else all(results)


def _value(prop: dict[str, Any], data: dict[str, str]) -> str:
    return (
        data.get(prop["variable"], "")
        if prop.get("valueType", prop.get("type")) == "variable"
        else prop["value"]
    )


@dataclass(frozen=True)
class ShownButton:
    text: str
    color: str
    action_id: str
    params: dict[str, str]
    url: str = ""  # an ``openLink`` button's address (it sends no callback)

    def callback_content(self) -> str:
        """The ``content`` of the card callback DingTalk sends when this button is tapped."""
        return json.dumps({"cardPrivateData": {"actionIds": [self.action_id], "params": self.params}})


@dataclass(frozen=True)
class CardView:
    lines: list[str]
    buttons: list[ShownButton]

    @property
    def title(self) -> str:
        return self.lines[0]

    def field(self, label: str) -> str | None:
        """The value shown after ``label：`` (None when no such line is visible)."""
        prefix = f"{label}："
        return next((line.removeprefix(prefix) for line in self.lines if line.startswith(prefix)), None)

    def button(self, text: str) -> ShownButton:
        matches = [b for b in self.buttons if b.text == text]
        assert matches, f"no button {text!r} shown; shown: {[b.text for b in self.buttons]}"
        return matches[0]


def render(data: dict[str, str]) -> CardView:
    lines: list[str] = []
    buttons: list[ShownButton] = []
    for node in components():
        props = node["props"]
        if not _visible(props["visible"], data):
            continue
        if node["componentName"] == "BaseText":
            lines.append(_text(props["text"], data))
        elif node["componentName"] == "SingleButton":
            params = {p["name"]: data.get(p["variable"], "") if p["type"] == "variable" else p["value"]
                      for p in props["params"]}  # fmt: skip
            url = _text(props["url"], data) if props.get("actionType") == "openLink" else ""
            buttons.append(
                ShownButton(
                    _text(props["text"], data),
                    _value(props["color"], data),
                    props["actionId"]["content"],
                    params,
                    url,
                )
            )
    return CardView(lines, buttons)
