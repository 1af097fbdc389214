"""The 说“不”事项提级 workflow as a pure, typed state machine (no I/O).

A matter climbs the four-level chain 首问责任人 → 股室负责人 → 分管领导 → 主要领导. ``MATTER_TRANSITIONS``
is the whole table of matter states; ``apply`` adds the step rules (who may decide, 会商 at level 3,
refusal only at level 4 and only with its text) and says what the service must persist and send.
See docs/ARCHITECTURE.md for the diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from bot.matters.views import (
    DECISION_ACTIONS,
    LEVEL_ACTIONS,
    LEVEL_TITLES,
    MATTER_TRANSITIONS,
    NO_CATEGORY,
    OPEN_STEP_STATUSES,
    STATE_TITLES,
    Chain,
    Command,
    Level,
    MatterView,
    Opening,
    Outcome,
    StepChange,
    StepView,
    Verdict,
)
from models.enums import Action, MatterState, StepStatus

__all__ = [
    "DECISION_ACTIONS",
    "LEVEL_ACTIONS",
    "LEVEL_TITLES",
    "MATTER_TRANSITIONS",
    "NO_CATEGORY",
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
    "assign_holders",
    "first_opening",
    "holders",
    "lapse_consultation",
    "lead_step",
    "may_decide",
    "next_opening",
    "step_leader",
]


# Why a matter past its pending life cannot be withdrawn (the answer names what to do instead).
WITHDRAW_TOO_LATE: Mapping[MatterState, str] = {
    MatterState.WITHDRAWN: "该事项已经撤回，无需再次撤回",
    MatterState.RESOLVED: "领导已确认能办，不能再撤回；请按决定答复申请人后发送“回复 编号 电话|书面 内容”登记",
    MatterState.REFUSED: "主要领导已确认不能办，不能再撤回；请答复申请人后发送“回复 编号 电话|书面 内容”登记",
    MatterState.CLOSED: "事项已办结，不能撤回",
}


def first_opening(chain: Chain, submitter_id: int, stand_ins: Mapping[int, int] | None = None) -> Opening:
    """The first level a new matter goes to: the section head, skipping the submitter's own level."""
    return next_opening(chain, Level.FIRST_CONTACT, submitter_id, stand_ins)


def next_opening(
    chain: Chain, after_level: int, submitter_id: int, stand_ins: Mapping[int, int] | None = None
) -> Opening:
    """The next level above ``after_level`` with an approver other than the submitter.

    A leader who is the submitter, or whose active stand-in is the submitter, is left out; a level
    left with nobody is skipped (a section head submitting, or the head's stand-in submitting, goes
    straight to the deputy). The principal's level is never skipped: only the principal may confirm
    a "no".
    """
    stand_ins = stand_ins or {}
    for level in range(after_level + 1, Level.PRINCIPAL + 1):
        approvers = tuple(a for a in chain.approvers(level) if submitter_id not in (a, stand_ins.get(a)))
        if level == Level.PRINCIPAL:
            approvers = chain.approvers(level)
        if approvers:
            return Opening(level=level, approver_ids=approvers)
    raise ValueError("chain has no principal")


def step_leader(step: StepView) -> int:
    """The leader a step belongs to: the chain's approver (whoever it was first sent to)."""
    return step.on_behalf_of_id if step.on_behalf_of_id is not None else step.approver_id


def assign_holders(
    leaders: Sequence[int], submitter_id: int, stand_ins: Mapping[int, int], taken: Iterable[int] = ()
) -> tuple[int, ...]:
    """Who holds each leader's step now: their active stand-in, unless the stand-in is the
    submitter or already holds, held or leads another step of the level (``taken``), in which case
    the leader keeps it. Nobody holds two steps; the submitter holds none of their own matter's."""
    busy = set(leaders) | set(taken)
    held = []
    for leader in leaders:
        stand_in = stand_ins.get(leader)
        if stand_in is not None and stand_in != submitter_id and stand_in not in busy:
            busy.add(stand_in)
            held.append(stand_in)
        else:
            held.append(leader)
    return tuple(held)


def holders(matter: MatterView) -> dict[int, int]:
    """Each open step's holder at the moment ``matter.stand_ins`` describes (step id → person id).
    Whoever answered another step of the level (会商) holds none of its other steps."""
    open_steps = matter.open_steps()
    answered = [
        person
        for s in matter.steps
        if s.level == matter.level and s.status not in OPEN_STEP_STATUSES
        for person in (step_leader(s), s.decided_by_id)
        if person is not None
    ]
    leaders = [step_leader(s) for s in open_steps]
    held = assign_holders(leaders, matter.submitter_id, matter.stand_ins, answered)
    return {s.id: holder for s, holder in zip(open_steps, held, strict=True)}


def may_decide(step: StepView, matter: MatterView, actor_id: int) -> bool:
    """The step's holder now, or the leader it belongs to; never the matter's submitter. A stand-in
    whose range has ended no longer holds the step. (For a closed step: whoever it was sent to, so
    that they hear who handled it.)"""
    if actor_id == matter.submitter_id:
        return False
    leader = step_leader(step)
    if step.status not in OPEN_STEP_STATUSES:
        return actor_id in (step.approver_id, leader, matter.stand_ins.get(leader))
    return actor_id in (holders(matter).get(step.id, leader), leader)


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
            return _reject(matter, Verdict.INVALID, note=WITHDRAW_TOO_LATE[matter.state])
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
    if not may_decide(step, matter, command.actor_id):
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
        if command.refusal_category is None:
            return _reject(matter, Verdict.INVALID, step, NO_CATEGORY)
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
        opening = next_opening(matter.chain, step.level, matter.submitter_id, matter.stand_ins)
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


def lapse_consultation(matter: MatterView) -> Outcome:
    """会商 past its deadline (“直至向主要领导提出”): the silent deputies' steps close as 逾期未答复
    (``StepStatus.OVERDUE``) and the matter goes up a level, whatever the others said. Nothing to
    lapse (``ALREADY_HANDLED``) when the matter is no longer pending, its level 3 is one deputy
    (chased like any step), or every deputy answered."""
    silent = tuple(s for s in matter.open_steps() if s.level == Level.DEPUTY)
    consulted = sum(s.level == Level.DEPUTY for s in matter.steps) > 1
    if not (consulted and silent and matter.state is MatterState.PENDING):
        return _reject(matter, Verdict.ALREADY_HANDLED)
    opening = next_opening(matter.chain, Level.DEPUTY, matter.submitter_id, matter.stand_ins)
    overdue = tuple(StepChange(s.id, StepStatus.OVERDUE) for s in silent)
    return Outcome(Verdict.APPLIED, MatterState.PENDING, opening.level, step_changes=overdue, opening=opening)
