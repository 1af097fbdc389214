"""The 说“不”事项提级 workflow as a pure, typed state machine (no I/O).

A matter climbs the four-level chain 首问责任人 → 股室负责人 → 分管领导 → 主要领导. ``MATTER_TRANSITIONS``
is the whole table of matter states; ``apply`` adds the step rules (who may decide, 会商 at level 3,
refusal only at level 4 and only with its text) and says what the service must persist and send.
See docs/ARCHITECTURE.md for the diagram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum

from models.enums import Action, MatterState, StepStatus

__all__ = [
    "DECISION_ACTIONS",
    "LEVEL_ACTIONS",
    "LEVEL_TITLES",
    "MATTER_TRANSITIONS",
    "OPEN_STEP_STATUSES",
    "STATE_TITLES",
    "Action",
    "Chain",
    "Command",
    "Level",
    "MatterState",
    "MatterView",
    "Opening",
    "Outcome",
    "StepChange",
    "StepStatus",
    "StepView",
    "Verdict",
    "apply",
    "first_opening",
    "lead_step",
    "may_decide",
    "next_opening",
]


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
    state: MatterState
    level: int
    submitter_id: int
    chain: Chain
    steps: tuple[StepView, ...] = ()

    def open_steps(self) -> tuple[StepView, ...]:
        return tuple(s for s in self.steps if s.status in OPEN_STEP_STATUSES)


@dataclass(frozen=True, slots=True)
class Command:
    """What someone asks for. ``step_id`` names the card tapped (None for chat commands)."""

    action: Action
    actor_id: int
    step_id: int | None = None
    standing_in_for: frozenset[int] = frozenset()  # leaders the actor currently stands in for
    text: str = ""
    way_forward: str = ""


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


def first_opening(chain: Chain, submitter_id: int) -> Opening:
    """The first level a new matter goes to: the section head, skipping the submitter's own level."""
    return next_opening(chain, Level.FIRST_CONTACT, submitter_id)


def next_opening(chain: Chain, after_level: int, submitter_id: int) -> Opening:
    """The next level above ``after_level`` with an approver other than the submitter.

    A level whose holder is the submitter is skipped (a section head submitting goes straight to
    the deputy). The principal's level is never skipped: only the principal may confirm a "no".
    """
    for level in range(after_level + 1, Level.PRINCIPAL + 1):
        approvers = tuple(a for a in chain.approvers(level) if a != submitter_id)
        if level == Level.PRINCIPAL:
            approvers = chain.approvers(level)
        if approvers:
            return Opening(level=level, approver_ids=approvers)
    raise ValueError("chain has no principal")


def may_decide(step: StepView, command: Command) -> bool:
    """Only the assigned approver, the leader they stand in for, or the leader's active stand-in."""
    if command.actor_id in (step.approver_id, step.on_behalf_of_id):
        return True
    return step.approver_id in command.standing_in_for or (
        step.on_behalf_of_id is not None and step.on_behalf_of_id in command.standing_in_for
    )


def _reject(matter: MatterView, verdict: Verdict, step: StepView | None = None, note: str = "") -> Outcome:
    return Outcome(
        verdict=verdict, state=matter.state, level=matter.level, step=step, notes=(note,) if note else ()
    )


def apply(matter: MatterView, command: Command) -> Outcome:
    """Decide what ``command`` does to ``matter``. Pure: the caller persists the outcome."""
    if command.action in DECISION_ACTIONS or command.action is Action.GIVE_REFUSAL_TEXT:
        return _apply_decision(matter, command)
    if command.action is Action.WITHDRAW:
        if command.actor_id != matter.submitter_id:
            return _reject(matter, Verdict.NOT_ALLOWED, note="只有提交人可以撤回")
        if (matter.state, Action.WITHDRAW) not in MATTER_TRANSITIONS:
            return _reject(matter, Verdict.INVALID, note=f"事项{STATE_TITLES[matter.state]}，不能撤回")
        changes = tuple(StepChange(s.id, StepStatus.SUPERSEDED) for s in matter.open_steps())
        return Outcome(Verdict.APPLIED, MatterState.WITHDRAWN, matter.level, step_changes=changes)
    if command.action is Action.RECORD_REPLY:
        if command.actor_id != matter.submitter_id:
            return _reject(matter, Verdict.NOT_ALLOWED, note="只有首问责任人（提交人）可以登记回复")
        if (matter.state, Action.RECORD_REPLY) not in MATTER_TRANSITIONS:
            if matter.state is MatterState.PENDING:
                return _reject(matter, Verdict.INVALID, note="事项仍在审批中，领导决定后再登记回复")
            return _reject(matter, Verdict.INVALID, note=f"事项{STATE_TITLES[matter.state]}，不能再登记回复")
        return Outcome(Verdict.APPLIED, MatterState.CLOSED, matter.level)
    raise ValueError(f"unknown action {command.action}")


def _apply_decision(matter: MatterView, command: Command) -> Outcome:
    step = next((s for s in matter.steps if s.id == command.step_id), None)
    if step is None:
        return _reject(matter, Verdict.INVALID, note="没有这张审批卡")
    if not may_decide(step, command):
        return _reject(matter, Verdict.NOT_ALLOWED, step, "这一步不由您审批")
    if step.status not in OPEN_STEP_STATUSES or matter.state is not MatterState.PENDING:
        return _reject(matter, Verdict.ALREADY_HANDLED, step)
    action = command.action
    if action is Action.GIVE_REFUSAL_TEXT:
        if step.status is not StepStatus.AWAITING_TEXT:
            return _reject(matter, Verdict.INVALID, step, "这一步没有在等待不能办的理由")
        if not command.text.strip() or not command.way_forward.strip():
            return _reject(matter, Verdict.NEEDS_TEXT, step, "需要写明理由和说“行”建议")
        return _refused(matter, step)
    if action not in LEVEL_ACTIONS.get(step.level, ()):
        return _reject(matter, Verdict.INVALID, step, _why_not_here(action, step.level))
    if action is Action.CONFIRM_NO:
        if step.status is StepStatus.AWAITING_TEXT:
            return _reject(matter, Verdict.NEEDS_TEXT, step, "请回复理由和说“行”建议")
        waiting = replace(step, status=StepStatus.AWAITING_TEXT)
        return Outcome(
            Verdict.NEEDS_TEXT,
            MatterState.PENDING,
            matter.level,
            step_changes=(StepChange(step.id, StepStatus.AWAITING_TEXT),),
            step=waiting,
        )
    decided_step = replace(step, status=StepStatus.DECIDED, decision=action)
    change = StepChange(step.id, StepStatus.DECIDED, action)
    siblings = tuple(s for s in matter.open_steps() if s.level == step.level and s.id != step.id)
    if siblings:
        # 会商: every consulted deputy must answer before the level is decided.
        return Outcome(
            Verdict.APPLIED,
            MatterState.PENDING,
            matter.level,
            step_changes=(change,),
            waiting_for_others=True,
            step=decided_step,
        )
    level_steps = [decided_step if s.id == step.id else s for s in matter.steps if s.level == step.level]
    anyone_escalated = any(
        s.decision is Action.ESCALATE for s in level_steps if s.status is StepStatus.DECIDED
    )
    if anyone_escalated:
        opening = next_opening(matter.chain, step.level, matter.submitter_id)
        return Outcome(
            Verdict.APPLIED,
            MatterState.PENDING,
            opening.level,
            step_changes=(change,),
            opening=opening,
            step=decided_step,
        )
    return Outcome(
        Verdict.APPLIED,
        MatterState.RESOLVED,
        matter.level,
        step_changes=(change,),
        decided=True,
        step=decided_step,
    )


def _refused(matter: MatterView, step: StepView) -> Outcome:
    """The principal's confirmed "no", with its reason and 说“行”建议."""
    decided = replace(step, status=StepStatus.DECIDED, decision=Action.CONFIRM_NO)
    return Outcome(
        Verdict.APPLIED,
        MatterState.REFUSED,
        matter.level,
        step_changes=(StepChange(step.id, StepStatus.DECIDED, Action.CONFIRM_NO),),
        decided=True,
        step=decided,
    )


def _why_not_here(action: Action, level: int) -> str:
    if action is Action.CONFIRM_NO:
        return "只有主要领导可以确认不能办，请选择能办或提级"
    if action is Action.ESCALATE and level == Level.PRINCIPAL:
        return "主要领导是最后一级，请选择能办或确认不能办"
    return "此操作不适用于当前层级"


def lead_step(steps: Sequence[StepView], level: int) -> StepView | None:
    """The lead department's step at ``level`` (its comment is the decision text in 会商)."""
    return next((s for s in steps if s.level == level and s.lead), None)
