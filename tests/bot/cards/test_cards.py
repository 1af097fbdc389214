"""Neutral cards: typed fields survive the outbox's JSON, and a kind's spec turns button keys into
its actions (and nothing else)."""

from __future__ import annotations

from bot.cards import Button, ButtonStyle, Card, CardField, Option, Selection
from bot.cards.card import split_wire_key
from bot.matters.cards import DECISION_CARD, REFUSAL_CHOICE
from bot.matters.workflow import LEVEL_ACTIONS, Level
from models.enums import ACTION_TITLES, REFUSAL_CATEGORY_TITLES, Action, CardKind, RefusalCategory


def level4_card() -> Card:
    buttons = DECISION_CARD.controls(LEVEL_ACTIONS[Level.PRINCIPAL])
    return Card(
        ref="tjRef",
        source="说“不”事项提级",
        title="TJ-2026-0001 说“不”事项审批",
        fields=(CardField("applicant", "服务对象", "张三"), CardField("due", "回复期限", "12月3日")),
        body="**说明**",
        buttons=buttons,
        status="待处理",
        reference="TJ-2026-0001",
    )


def test_a_card_reads_back_from_its_json_as_it_was() -> None:
    card = level4_card()
    assert Card.from_dict(card.as_dict()) == card
    assert card.value("due") == "12月3日" and card.value("nothing") == ""


def test_a_card_queued_before_fields_had_keys_still_reads() -> None:
    stored = {
        "ref": "tjOld", "source": "说“不”事项提级", "title": "TJ-2026-0001 说“不”事项审批",
        "fields": [["服务对象", "张三"]], "buttons": [{"key": "can_do", "text": "能办", "style": "primary"}],
        "selection": {"key": "refusal_category", "title": "不能办的原因", "options": [{"id": "law", "text": "法律"}]},
        "status": "待处理", "closed": False, "matter_number": "TJ-2026-0001", "extra": {"level": "4"},
    }  # fmt: skip
    card = Card.from_dict(stored)
    assert card.fields == (CardField("", "服务对象", "张三"),)
    assert card.reference == "TJ-2026-0001"
    assert card.buttons == (Button("can_do", "能办", ButtonStyle.PRIMARY),)
    assert card.selection == Selection("refusal_category", "不能办的原因", (Option("law", "法律"),))
    assert card.selection.goes_with(card.buttons[0])  # no button list: the choice goes with every button


def test_the_decision_kind_takes_its_words_from_the_one_table() -> None:
    assert DECISION_CARD.kind == CardKind.DECISION
    assert dict(DECISION_CARD.titles) == {
        a: ACTION_TITLES[a] for a in (Action.CAN_DO, Action.ESCALATE, Action.CONFIRM_NO)
    }
    assert REFUSAL_CHOICE.texts == REFUSAL_CATEGORY_TITLES
    assert REFUSAL_CHOICE.option("conditions") is RefusalCategory.CONDITIONS
    assert REFUSAL_CHOICE.option("bogus") is None


def test_a_key_is_an_action_of_the_kind_or_nothing() -> None:
    assert DECISION_CARD.action("escalate") is Action.ESCALATE
    assert DECISION_CARD.action("give_refusal_text") is None  # an Action, but no button carries it
    assert DECISION_CARD.action("approve") is None


def test_the_refusal_choice_comes_only_with_confirm_no() -> None:
    buttons = DECISION_CARD.controls(LEVEL_ACTIONS[Level.SECTION_HEAD])
    assert [(b.key, b.text, b.choice) for b in buttons] == [
        ("can_do", "能办", None),
        ("escalate", "提级", None),
    ]


def test_the_principal_gets_one_refusal_button_per_category_and_nothing_preselected() -> None:
    buttons = DECISION_CARD.controls(LEVEL_ACTIONS[Level.PRINCIPAL])
    assert [(b.key, b.text, b.choice) for b in buttons] == [
        ("can_do", "能办", None),
        ("confirm_no", "确认不能办·法律政策", ("refusal_category", "law")),
        ("confirm_no", "确认不能办·客观条件", ("refusal_category", "conditions")),
        ("confirm_no", "确认不能办·其他", ("refusal_category", "other")),
    ]
    assert [b.style for b in buttons] == [ButtonStyle.PRIMARY] + [ButtonStyle.DANGER] * 3
    assert all(len(b.text) <= 10 for b in buttons)  # WeCom shows about 10 characters of a button
    keys = [b.wire_key() for b in buttons]
    assert len(set(keys)) == 4 and [split_wire_key(k) for k in keys][1] == (
        "confirm_no",
        {"refusal_category": "law"},
    )
    assert split_wire_key("can_do") == ("can_do", {})
