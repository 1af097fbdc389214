"""The decision card kind: a step's approver taps 能办 / 提级 / 确认不能办 (one button per reason category).

Its buttons' texts and the refusal options are the one table of each (``ACTION_TITLES``,
``REFUSAL_CATEGORY_TITLES`` in ``models.enums``), so cards, timelines and replies say the same.
"""

from __future__ import annotations

from enum import StrEnum

from bot.cards import ButtonStyle, CardKindSpec, Choice
from bot.matters.workflow import DECISION_ACTIONS
from models.enums import ACTION_TITLES, REFUSAL_CATEGORY_TITLES, Action, CardKind, RefusalCategory

REFUSAL_CHOICE: Choice[Action, RefusalCategory] = Choice(
    key="refusal_category",
    title="不能办的原因",
    options=RefusalCategory,
    texts=REFUSAL_CATEGORY_TITLES,
    actions=frozenset({Action.CONFIRM_NO}),
    button_texts={
        RefusalCategory.LAW: "法律政策",
        RefusalCategory.CONDITIONS: "客观条件",
        RefusalCategory.OTHER: "其他",
    },
)

DECISION_CARD: CardKindSpec[Action] = CardKindSpec(
    kind=CardKind.DECISION,
    actions=Action,
    # The buttons a level's card shows, in order, are the workflow's LEVEL_ACTIONS.
    titles={action: ACTION_TITLES[action] for action in DECISION_ACTIONS},
    styles={Action.CAN_DO: ButtonStyle.PRIMARY, Action.CONFIRM_NO: ButtonStyle.DANGER},
    choice=REFUSAL_CHOICE,
)


class MorningAction(StrEnum):
    """The morning card has no buttons (it links to 我的待办); a tap on it is refused."""

    OPEN = "open"


MORNING_CARD: CardKindSpec[MorningAction] = CardKindSpec(
    kind=CardKind.MORNING, actions=MorningAction, titles={}
)
