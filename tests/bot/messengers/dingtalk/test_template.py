"""The shipped card template agrees with the code: its variables, its buttons and their visibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cards import Button, Card
from bot.messengers.dingtalk.cards import TEMPLATE_VARIABLES, card_phase, card_variables
from bot.messengers.dingtalk.parse import ACTIONS, REFUSAL_OPTIONS, parse_card_callback

TEMPLATE = Path(__file__).resolve().parents[4] / "templates" / "dingtalk" / "tiji-decision-card.json"


def editor() -> dict[str, Any]:
    document = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads(document["editorData"])
    return data


def buttons() -> list[dict[str, Any]]:
    tree = editor()["schema"]["componentsTree"][0]["children"]
    return [node for node in tree if node["componentName"] == "SingleButton"]


def params(button: dict[str, Any]) -> dict[str, str]:
    return {p["name"]: p["value"] for p in button["props"]["params"]}


def shown(button: dict[str, Any], status: str) -> bool:
    rule = button["props"]["visible"]
    if rule["valueType"] == "fixed":
        return bool(rule["value"])
    return any(c["variable"] == "status" and c["value"] == status for c in rule["condition"]["conditions"])


def test_template_declares_exactly_the_variables_the_bot_fills() -> None:
    declared = {v["name"] for v in editor()["variableList"]}
    assert declared == set(TEMPLATE_VARIABLES)
    assert set(editor()["mockData"]["cardData"]) == set(TEMPLATE_VARIABLES)


def test_every_button_sends_an_action_the_parser_accepts() -> None:
    for button in buttons():
        assert button["props"]["actionType"] == "request"  # 回传请求: the click comes back to the bot
        sent = params(button)
        assert sent["action"] in ACTIONS
        assert sent.get("refusal_category", "law") in REFUSAL_OPTIONS
        callback = {
            "outTrackId": "ref-1",
            "userId": "u1",
            "content": json.dumps({"cardPrivateData": {"actionIds": [sent["action"]], "params": sent}}),
        }
        event = parse_card_callback(callback)
        assert event.key == sent["action"]
        assert event.selected == (
            {"refusal_category": sent["refusal_category"]} if "refusal_category" in sent else {}
        )


@pytest.mark.parametrize(
    ("card_buttons", "closed", "expected"),
    [
        (("can_do", "escalate"), False, {"can_do", "escalate"}),
        (("can_do", "confirm_no"), False, {"can_do", "confirm_no"}),
        (("can_do", "escalate"), True, set()),
        ((), False, set()),
    ],
)
def test_buttons_shown_follow_the_status_the_bot_sends(
    card_buttons: tuple[str, ...], closed: bool, expected: set[str]
) -> None:
    card = Card(
        ref="r",
        source="提级",
        title="说“不”事项 TJ-2026-0001",
        fields=(),
        buttons=tuple(Button(key, key) for key in card_buttons),
        closed=closed,
    )
    status = card_variables(card)["status"]
    assert status == card_phase(card)
    visible = {params(b)["action"] for b in buttons() if shown(b, status)}
    assert visible == expected


def test_every_refusal_category_has_its_button() -> None:
    categories = {params(b).get("refusal_category") for b in buttons() if params(b)["action"] == "confirm_no"}
    assert categories == set(REFUSAL_OPTIONS)
