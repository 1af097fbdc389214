"""The decision card kind: a step's approver taps 能办 / 提级 / 确认不能办 (with the reason's category).

``DECISION_TITLES`` is the one table of the decisions' Chinese words (cards, timelines, replies).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.cards import ButtonStyle, CardKindSpec, Choice
from bot.matters.workflow import Action
from models.cards import CardKind

DECISION_TITLES: Mapping[Action, str] = {
    Action.CAN_DO: "能办",
    Action.ESCALATE: "提级",
    Action.CONFIRM_NO: "确认不能办",
}

REFUSAL_CATEGORIES: Mapping[str, str] = {
    "law": "法律政策不允许",
    "conditions": "客观条件不具备",
    "other": "其他",
}
DEFAULT_REFUSAL = "law"

REFUSAL_CHOICE: Choice[Action] = Choice(
    key="refusal_category",
    title="不能办的原因",
    options=REFUSAL_CATEGORIES,
    actions=frozenset({Action.CONFIRM_NO}),
)

DECISION_CARD: CardKindSpec[Action] = CardKindSpec(
    kind=CardKind.DECISION,
    actions=Action,
    titles=DECISION_TITLES,
    styles={Action.CAN_DO: ButtonStyle.PRIMARY, Action.CONFIRM_NO: ButtonStyle.DANGER},
    choice=REFUSAL_CHOICE,
)
