"""The shipped card template agrees with the code: its variables, its slots, and what a tap on each
button it shows sends back (rendered by the fake card platform in ``tests/fakes``)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.cards import Button, ButtonStyle, Card, CardField, CardLink
from bot.matters.cards import DECISION_CARD
from bot.matters.workflow import LEVEL_ACTIONS, Level
from bot.messengers.dingtalk.cards import BUTTON_SLOTS, FIELD_SLOTS, TEMPLATE_VARIABLES, card_variables
from bot.messengers.dingtalk.parse import parse_card_callback
from models.enums import REFUSAL_CATEGORY_TITLES
from tests.fakes.dingtalk_card_template import TEMPLATE, components, render


def editor() -> dict[str, Any]:
    document = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads(document["editorData"])
    return data


def buttons() -> list[dict[str, Any]]:
    """The template's tap buttons (回传请求), not its link button."""
    return [
        node
        for node in components()
        if node["componentName"] == "SingleButton" and node["props"]["actionType"] != "openLink"
    ]


def link_buttons() -> list[dict[str, Any]]:
    return [node for node in components() if node["props"].get("actionType") == "openLink"]


def decision_card(level: Level, *, closed: bool = False) -> Card:
    shown = DECISION_CARD.controls(() if closed else LEVEL_ACTIONS[level])
    return Card(
        ref="tjRef",
        source="说“不”事项提级",
        title="TJ-2026-0007 说“不”事项审批",
        fields=(
            CardField("applicant", "服务对象", "张三"),
            CardField("level", "当前层级", "主要领导 谢永强"),
        ),
        buttons=shown,
        status="已提级至 分管领导 王某" if closed else "待处理",
        closed=closed,
    )


def test_template_declares_exactly_the_variables_the_bot_fills() -> None:
    declared = [v["name"] for v in editor()["variableList"]]
    assert sorted(declared) == sorted(TEMPLATE_VARIABLES) and len(declared) == len(set(declared))
    assert set(editor()["mockData"]["cardData"]) == set(TEMPLATE_VARIABLES)
    assert set(card_variables(decision_card(Level.PRINCIPAL))) == set(TEMPLATE_VARIABLES)


def test_every_button_slot_sends_its_own_action_question_and_option() -> None:
    assert len(buttons()) == BUTTON_SLOTS
    for n, button in enumerate(buttons(), start=1):
        props = button["props"]
        assert props["actionType"] == "request"  # 回传请求: the click comes back to the bot
        sent = {p["name"]: p["variable"] for p in props["params"] if p["type"] == "variable"}
        assert sent == {"action": f"button_{n}_action", "question": f"button_{n}_question",
                        "option": f"button_{n}_option"}  # fmt: skip
        assert props["text"]["variable"] == f"button_{n}_text"


def test_the_link_slot_opens_its_url_and_sends_nothing_back() -> None:
    [link] = link_buttons()
    assert link["props"]["url"]["variable"] == "link_1_url" and link["props"]["params"] == []
    card = replace(
        decision_card(Level.SECTION_HEAD), links=(CardLink("详情 / 填写意见", "https://t.example/m/x"),)
    )
    view = render(card_variables(card))
    assert [(b.text, b.url) for b in view.buttons if b.url] == [
        (
            "详情 / 填写意见",
            "dingtalk://dingtalkclient/page/link?url=https%3A%2F%2Ft.example%2Fm%2Fx&pc_slide=true",
        )
    ]
    assert [b.text for b in render(card_variables(decision_card(Level.SECTION_HEAD))).buttons] == [
        "能办",
        "提级",
    ]


def test_the_preview_data_renders_like_a_card_the_bot_sends() -> None:
    view = render(editor()["mockData"]["cardData"])
    assert view.field("服务对象") == "桐柏县顺达物流有限公司 13800002222"
    assert [b.text for b in view.buttons] == ["能办", "提级", "详情 / 填写意见"]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.SECTION_HEAD, ["能办", "提级"]),
        (Level.PRINCIPAL, ["能办", "确认不能办·法律政策", "确认不能办·客观条件", "确认不能办·其他"]),
    ],
)
def test_a_decision_card_shows_its_fields_and_one_button_per_refusal_category(
    level: Level, expected: list[str]
) -> None:
    view = render(card_variables(decision_card(level)))
    assert view.title == "TJ-2026-0007 说“不”事项审批"
    assert view.field("服务对象") == "张三" and view.field("当前层级") == "主要领导 谢永强"
    assert view.field("状态") == "待处理"
    assert [b.text for b in view.buttons] == expected
    assert [b.color for b in view.buttons][:1] == ["blue"]


def test_every_shown_button_taps_back_as_the_action_and_choice_it_shows() -> None:
    view = render(card_variables(decision_card(Level.PRINCIPAL)))
    taps = []
    for button in view.buttons:
        callback = {"outTrackId": "tjRef", "userId": "u1", "content": button.callback_content()}
        event = parse_card_callback(callback)
        taps.append((event.key, dict(event.selected)))
    assert taps == [("can_do", {})] + [
        ("confirm_no", {"refusal_category": key}) for key in REFUSAL_CATEGORY_TITLES
    ]


def test_a_closed_card_shows_no_buttons_but_its_outcome() -> None:
    open_view = render(card_variables(decision_card(Level.SECTION_HEAD)))
    closed = card_variables(decision_card(Level.SECTION_HEAD, closed=True))
    view = render({**card_variables(decision_card(Level.SECTION_HEAD)), **closed})  # merged by key
    assert open_view.buttons and view.buttons == []
    assert "处理结果：已提级至 分管领导 王某" in view.lines


def test_any_card_fills_the_slots_in_order_and_empties_the_rest() -> None:
    card = Card(
        ref="r",
        source="提级",
        title="签收通知",
        fields=(
            CardField("document", "文件", "关于路政巡查的通知"),
            CardField("deadline", "签收期限", "12月3日"),
        ),
        buttons=(Button("sign", "签收", ButtonStyle.PRIMARY), Button("return", "退回", ButtonStyle.DANGER)),
    )
    view = render(card_variables(card))
    assert view.lines[:3] == ["签收通知", "文件：关于路政巡查的通知", "签收期限：12月3日"]
    assert [(b.text, b.color, b.params["action"]) for b in view.buttons] == [
        ("签收", "blue", "sign"), ("退回", "red", "return")
    ]  # fmt: skip
    assert len(card_variables(card)) == len(TEMPLATE_VARIABLES)
    assert FIELD_SLOTS == 6 and BUTTON_SLOTS == 6  # as many as WeCom shows, so a card looks alike on both


def test_fields_beyond_the_slots_lead_the_body() -> None:
    card = decision_card(Level.PRINCIPAL)
    fields = (
        card.fields
        + tuple(CardField(f"x{n}", f"项{n}", f"值{n}") for n in range(5))
        + (CardField("policy_basis", "政策依据", "《道路运输条例》"),)
    )
    values = card_variables(
        Card(ref=card.ref, source=card.source, title=card.title, fields=fields, body="说明")
    )
    assert values["body"].endswith("政策依据：《道路运输条例》\n说明")
