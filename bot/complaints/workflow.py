"""The complaint's life as a pure state machine (no I/O), like ``bot.matters.workflow``.

登记 registered → 答疑 answered (out of scope) | 交办 assigned → 签收 signed → 办结 done;
assigned / signed → 申请延期 extension_requested → granted (back to signed, later deadline) or
refused (back to signed, same deadline); registered / assigned / signed → 并单 merged.
办结 done → 反馈 reported (the office told the complainant) → 好评 rated | 差评 reopened (发回重办,
an 整改 deadline) → 办结 done again, or 申诉 appealed → upheld (rated: the 差评 stays on file) or
rejected (reopened, the rework goes on). One 追评 per rating (``check_follow_up``).
See docs/ARCHITECTURE.md for the diagram.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from models.complaint_feedback import Satisfaction, Solved
from models.complaints import ComplaintChannel, ComplaintState

__all__ = [
    "ACTION_TITLES",
    "BAD_RATINGS",
    "CHANNEL_TITLES",
    "COMPLAINT_TRANSITIONS",
    "HELD_STATES",
    "OPEN_STATES",
    "SATISFACTION_TITLES",
    "SOLVED_TITLES",
    "STATE_TITLES",
    "ComplaintAction",
    "ComplaintState",
    "TransitionError",
    "check_follow_up",
    "next_state",
    "rating_action",
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
    REPORT_BACK = "report_back"  # 反馈投诉人 (电话/书面)
    RATE_GOOD = "rate_good"  # 好评 (非常满意 / 满意 / 基本满意)
    RATE_BAD = "rate_bad"  # 差评 → 发回重办
    APPEAL = "appeal"  # 申诉 against the 差评
    UPHOLD_APPEAL = "uphold_appeal"  # 申诉成立
    REJECT_APPEAL = "reject_appeal"  # 申诉不成立


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
    (S.DONE, A.REPORT_BACK): S.REPORTED,
    (S.REPORTED, A.RATE_GOOD): S.RATED,
    (S.REPORTED, A.RATE_BAD): S.REOPENED,
    (S.REOPENED, A.FINISH): S.DONE,
    (S.REOPENED, A.APPEAL): S.APPEALED,
    (S.APPEALED, A.UPHOLD_APPEAL): S.RATED,
    (S.APPEALED, A.REJECT_APPEAL): S.REOPENED,
}
# Not finished yet: a section, the office or the complainant still has something to do.
OPEN_STATES = frozenset(
    {S.REGISTERED, S.ASSIGNED, S.SIGNED, S.EXTENSION_REQUESTED, S.DONE, S.REPORTED, S.REOPENED, S.APPEALED}
)
# States a section holds: its deadline runs and the overdue ladder chases it.
HELD_STATES = frozenset({S.ASSIGNED, S.SIGNED, S.EXTENSION_REQUESTED, S.REOPENED})
BAD_RATINGS = frozenset({Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED})

STATE_TITLES: Mapping[ComplaintState, str] = {
    S.REGISTERED: "已登记",
    S.ANSWERED: "已答疑",
    S.ASSIGNED: "已交办",
    S.SIGNED: "已签收",
    S.EXTENSION_REQUESTED: "申请延期",
    S.DONE: "已办结",
    S.MERGED: "已并单",
    S.REPORTED: "已反馈，待评价",
    S.RATED: "已评价",
    S.REOPENED: "发回重办",
    S.APPEALED: "申诉待裁定",
}
SATISFACTION_TITLES: Mapping[Satisfaction, str] = {
    Satisfaction.VERY_SATISFIED: "非常满意",
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASIC: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
    Satisfaction.VERY_DISSATISFIED: "非常不满意",
}
SOLVED_TITLES: Mapping[Solved, str] = {Solved.YES: "是", Solved.PARTLY: "部分解决", Solved.NO: "否"}
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
    A.REPORT_BACK: "反馈投诉人",
    A.RATE_GOOD: "评价",
    A.RATE_BAD: "评价",
    A.APPEAL: "申诉",
    A.UPHOLD_APPEAL: "裁定申诉",
    A.REJECT_APPEAL: "裁定申诉",
}


class TransitionError(ValueError):
    """The action does not apply in this state (the message says why, in Chinese)."""


def next_state(state: ComplaintState, action: ComplaintAction) -> ComplaintState:
    """The state after ``action``, or TransitionError naming the state and the action."""
    target = COMPLAINT_TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionError(f"该投诉当前为“{STATE_TITLES[state]}”，不能{ACTION_TITLES[action]}")
    return target


def rating_action(satisfaction: Satisfaction) -> ComplaintAction:
    """差评 (不满意 / 非常不满意) sends the case back (发回重办); any other rating closes it."""
    return ComplaintAction.RATE_BAD if satisfaction in BAD_RATINGS else ComplaintAction.RATE_GOOD


def check_follow_up(*, rated: bool, already_followed_up: bool) -> None:
    """One 追评 per rating, and only after it (TransitionError in Chinese otherwise)."""
    if not rated:
        raise TransitionError("还没有评价，不能追评")
    if already_followed_up:
        raise TransitionError("已经追评过一次，不能再追评")
