"""A discipline case's life as a pure state machine (no I/O), like ``bot.complaints.workflow``.

移送 referred → 记录调查结论 investigating (findings may be revised) → 结案 closed; 责任追究 rows
are added while the case is referred or under investigation (a decision needs findings first, so
only in ``investigating``). A closed case changes no more.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from models.discipline import AccountabilityMeasure, DisciplineState

__all__ = [
    "ACTION_TITLES",
    "DISCIPLINE_TRANSITIONS",
    "MEASURE_TITLES",
    "OPEN_STATES",
    "STATE_TITLES",
    "DisciplineAction",
    "DisciplineError",
    "DisciplineState",
    "next_state",
]


class DisciplineAction(StrEnum):
    RECORD_FINDINGS = "findings"  # 记录调查结论
    HOLD_ACCOUNTABLE = "accountability"  # 责任追究 (one person, one measure, one date)
    CLOSE = "close"  # 结案


S = DisciplineState
A = DisciplineAction
DISCIPLINE_TRANSITIONS: Mapping[tuple[DisciplineState, DisciplineAction], DisciplineState] = {
    (S.REFERRED, A.RECORD_FINDINGS): S.INVESTIGATING,
    (S.INVESTIGATING, A.RECORD_FINDINGS): S.INVESTIGATING,
    (S.INVESTIGATING, A.HOLD_ACCOUNTABLE): S.INVESTIGATING,
    (S.INVESTIGATING, A.CLOSE): S.CLOSED,
}
OPEN_STATES = frozenset({S.REFERRED, S.INVESTIGATING})

STATE_TITLES: Mapping[DisciplineState, str] = {
    S.REFERRED: "已移送",
    S.INVESTIGATING: "调查中",
    S.CLOSED: "已结案",
}
ACTION_TITLES: Mapping[DisciplineAction, str] = {
    A.RECORD_FINDINGS: "记录调查结论",
    A.HOLD_ACCOUNTABLE: "记录责任追究",
    A.CLOSE: "结案",
}
M = AccountabilityMeasure
MEASURE_TITLES: Mapping[AccountabilityMeasure, str] = {
    M.CRITICISM: "批评教育",
    M.ADMONITION: "诫勉谈话",
    M.CIRCULATED_CRITICISM: "通报批评",
    M.ORGANISATIONAL: "组织处理",
    M.DISCIPLINARY: "党纪政务处分",
    M.NONE: "经查不予追究",
}


class DisciplineError(ValueError):
    """A discipline change that cannot be made (the message says why, in Chinese)."""


def next_state(state: DisciplineState, action: DisciplineAction) -> DisciplineState:
    """The state after ``action``, or DisciplineError naming the state and what to do first."""
    target = DISCIPLINE_TRANSITIONS.get((state, action))
    if target is not None:
        return target
    if state is S.REFERRED:
        raise DisciplineError(f"请先记录调查结论，再{ACTION_TITLES[action]}")
    raise DisciplineError(f"该案件当前为“{STATE_TITLES[state]}”，不能{ACTION_TITLES[action]}")
