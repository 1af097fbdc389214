"""The complaint's life as a pure state machine (no I/O), like ``bot.matters.workflow``.

登记 registered → 答疑 answered (out of scope) | 交办 assigned → 签收 signed → 办结 done;
assigned / signed → 申请延期 extension_requested → granted (back to signed, later deadline) or
refused (back to signed, same deadline); registered / assigned / signed → 并单 merged.
See docs/ARCHITECTURE.md for the diagram.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from models.complaints import ComplaintChannel, ComplaintState

__all__ = [
    "ACTION_TITLES",
    "CHANNEL_TITLES",
    "COMPLAINT_TRANSITIONS",
    "HELD_STATES",
    "OPEN_STATES",
    "STATE_TITLES",
    "ComplaintAction",
    "ComplaintState",
    "TransitionError",
    "next_state",
]


class ComplaintAction(StrEnum):
    ANSWER = "answer"  # 答疑: out of scope
    ASSIGN = "assign"  # 交办 to a section
    SIGN = "sign"  # 签收
    FINISH = "finish"  # 办结 with feedback
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    GRANT_EXTENSION = "grant_extension"  # 同意延期
    REFUSE_EXTENSION = "refuse_extension"  # 不同意延期
    MERGE = "merge"  # 重复诉求并单


S = ComplaintState
A = ComplaintAction
COMPLAINT_TRANSITIONS: Mapping[tuple[ComplaintState, ComplaintAction], ComplaintState] = {
    (S.REGISTERED, A.ANSWER): S.ANSWERED,
    (S.REGISTERED, A.ASSIGN): S.ASSIGNED,
    (S.REGISTERED, A.MERGE): S.MERGED,
    (S.ASSIGNED, A.SIGN): S.SIGNED,
    (S.ASSIGNED, A.FINISH): S.DONE,
    (S.ASSIGNED, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.ASSIGNED, A.MERGE): S.MERGED,
    (S.SIGNED, A.FINISH): S.DONE,
    (S.SIGNED, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.SIGNED, A.MERGE): S.MERGED,
    (S.EXTENSION_REQUESTED, A.GRANT_EXTENSION): S.SIGNED,
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): S.SIGNED,
}
OPEN_STATES = frozenset({S.REGISTERED, S.ASSIGNED, S.SIGNED, S.EXTENSION_REQUESTED})
# States a section holds: its deadline runs and the overdue ladder chases it.
HELD_STATES = frozenset({S.ASSIGNED, S.SIGNED, S.EXTENSION_REQUESTED})

STATE_TITLES: Mapping[ComplaintState, str] = {
    S.REGISTERED: "已登记",
    S.ANSWERED: "已答疑",
    S.ASSIGNED: "已交办",
    S.SIGNED: "已签收",
    S.EXTENSION_REQUESTED: "申请延期",
    S.DONE: "已办结",
    S.MERGED: "已并单",
}
CHANNEL_TITLES: Mapping[ComplaintChannel, str] = {
    ComplaintChannel.PHONE: "电话",
    ComplaintChannel.VISIT: "来访",
    ComplaintChannel.LETTER: "来信",
    ComplaintChannel.WEB_FORM: "网上表单",
    ComplaintChannel.HOTLINE_12345: "12345转办",
}
ACTION_TITLES: Mapping[ComplaintAction, str] = {
    A.ANSWER: "答疑",
    A.ASSIGN: "交办",
    A.SIGN: "签收",
    A.FINISH: "办结",
    A.REQUEST_EXTENSION: "申请延期",
    A.GRANT_EXTENSION: "同意延期",
    A.REFUSE_EXTENSION: "不同意延期",
    A.MERGE: "并单",
}


class TransitionError(ValueError):
    """The action does not apply in this state (the message says why, in Chinese)."""


def next_state(state: ComplaintState, action: ComplaintAction) -> ComplaintState:
    """The state after ``action``, or TransitionError naming the state and the action."""
    target = COMPLAINT_TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionError(f"该投诉当前为“{STATE_TITLES[state]}”，不能{ACTION_TITLES[action]}")
    return target
