"""The values the workflow works on (pure, no I/O): levels, the chain, views of a matter and its
steps, the command asked for and the outcome decided. ``bot.matters.workflow`` re-exports them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from models.enums import Action, MatterState, RefusalCategory, StepStatus


class Level(IntEnum):
    FIRST_CONTACT = 1
    SECTION_HEAD = 2
    DEPUTY = 3
    PRINCIPAL = 4


LEVEL_TITLES: Mapping[int, str] = {
    Level.FIRST_CONTACT: "首问责任人",
    Level.SECTION_HEAD: "股室负责人",
    Level.DEPUTY: "分管领导",
    Level.PRINCIPAL: "主要领导",
}


STATE_TITLES: Mapping[MatterState, str] = {
    MatterState.PENDING: "审批中",
    MatterState.RESOLVED: "能办，待回复申请人",
    MatterState.REFUSED: "确认不能办，待回复申请人",
    MatterState.WITHDRAWN: "已撤回",
    MatterState.CLOSED: "已办结",
}


NO_CATEGORY = "确认不能办须选择原因：请点击卡片上带原因的“确认不能办（…）”按钮"

OPEN_STEP_STATUSES = frozenset({StepStatus.PENDING, StepStatus.AWAITING_TEXT})


DECISION_ACTIONS = frozenset({Action.CAN_DO, Action.ESCALATE, Action.CONFIRM_NO})

# The matter-level transition table. CONFIRM_NO keeps the matter pending until its text arrives.
MATTER_TRANSITIONS: Mapping[tuple[MatterState, Action], MatterState] = {
    (MatterState.PENDING, Action.CAN_DO): MatterState.RESOLVED,
    (MatterState.PENDING, Action.ESCALATE): MatterState.PENDING,
    (MatterState.PENDING, Action.CONFIRM_NO): MatterState.PENDING,
    (MatterState.PENDING, Action.GIVE_REFUSAL_TEXT): MatterState.REFUSED,
    (MatterState.PENDING, Action.WITHDRAW): MatterState.WITHDRAWN,
    (MatterState.RESOLVED, Action.RECORD_REPLY): MatterState.CLOSED,
    (MatterState.REFUSED, Action.RECORD_REPLY): MatterState.CLOSED,
}

# Which buttons a level's card carries.
LEVEL_ACTIONS: Mapping[int, tuple[Action, ...]] = {
    Level.SECTION_HEAD: (Action.CAN_DO, Action.ESCALATE),
    Level.DEPUTY: (Action.CAN_DO, Action.ESCALATE),
    Level.PRINCIPAL: (Action.CAN_DO, Action.CONFIRM_NO),
}


class Verdict(StrEnum):
    APPLIED = "applied"
    NOT_ALLOWED = "not_allowed"  # the actor may not do this (someone else's step / matter)
    ALREADY_HANDLED = "already_handled"  # the step is no longer open: changes nothing
    INVALID = "invalid"  # not possible in this state (e.g. escalate at level 4)
    NEEDS_TEXT = "needs_text"  # a refusal without its reason and 说“行”建议


@dataclass(frozen=True, slots=True)
class Chain:
    """Approver ids per level for one matter. Level 3 lists every involved deputy (lead first)."""

    levels: Mapping[int, tuple[int, ...]]

    def approvers(self, level: int) -> tuple[int, ...]:
        return self.levels.get(level, ())


@dataclass(frozen=True, slots=True)
class StepView:
    id: int
    level: int
    approver_id: int
    on_behalf_of_id: int | None = None
    lead: bool = True
    status: StepStatus = StepStatus.PENDING
    decision: Action | None = None
    decided_by_id: int | None = None


@dataclass(frozen=True, slots=True)
class MatterView:
    """A matter as the rules see it at one moment: ``stand_ins`` maps each leader of its chain to
    the stand-in (代理) active at that moment."""

    state: MatterState
    level: int
    submitter_id: int
    chain: Chain
    steps: tuple[StepView, ...] = ()
    stand_ins: Mapping[int, int] = field(default_factory=dict)

    def open_steps(self) -> tuple[StepView, ...]:
        return tuple(s for s in self.steps if s.status in OPEN_STEP_STATUSES)


@dataclass(frozen=True, slots=True)
class Command:
    """What someone asks for. ``step_id`` names the card tapped (None for chat commands)."""

    action: Action
    actor_id: int
    step_id: int | None = None
    text: str = ""
    way_forward: str = ""
    refusal_category: RefusalCategory | None = None  # which 确认不能办 button was tapped


@dataclass(frozen=True, slots=True)
class StepChange:
    step_id: int
    status: StepStatus
    decision: Action | None = None


@dataclass(frozen=True, slots=True)
class Opening:
    """Steps the service must open: one per approver, at ``level``."""

    level: int
    approver_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    state: MatterState
    level: int
    step_changes: tuple[StepChange, ...] = ()
    opening: Opening | None = None
    decided: bool = False  # the matter got its decision (resolved or refused) with this command
    waiting_for_others: bool = False  # a consulted deputy answered; others still to answer
    step: StepView | None = None  # the step acted on
    notes: tuple[str, ...] = field(default_factory=tuple)
