"""The closed vocabularies stored in the database: states, statuses, decisions, platforms and kinds.

Pure enums (no ORM), so the workflow (``bot.matters.workflow``) and the models share them without
the workflow depending on the database. Stored as their ``value`` by ``CharEnumField``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Platform(StrEnum):
    """Where a person or group is reached (and where an inbound event came from)."""

    SIMULATOR = "simulator"
    WECOM = "wecom"
    DINGTALK = "dingtalk"


class MatterState(StrEnum):
    PENDING = "pending"  # a level is deciding
    RESOLVED = "resolved"  # a leader took it on (能办); the applicant must be answered
    REFUSED = "refused"  # the principal confirmed no, with reason and 说“行”建议
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"  # the reply to the applicant is recorded


class StepStatus(StrEnum):
    PENDING = "pending"
    AWAITING_TEXT = "awaiting_text"  # confirm_no tapped; waiting for the reason and 说“行”建议
    DECIDED = "decided"
    SUPERSEDED = "superseded"  # closed without a decision (withdrawn, or consultation ended)
    OVERDUE = "overdue"  # 逾期未答复: a consulted deputy did not answer by the 会商 deadline


class Action(StrEnum):
    """What someone asks the workflow to do; a step's ``decision`` is one of the first three."""

    CAN_DO = "can_do"
    ESCALATE = "escalate"
    CONFIRM_NO = "confirm_no"
    GIVE_REFUSAL_TEXT = "give_refusal_text"
    WITHDRAW = "withdraw"
    RECORD_REPLY = "record_reply"


ACTION_TITLES: Mapping[Action, str] = {
    Action.CAN_DO: "能办",
    Action.ESCALATE: "提级",
    Action.CONFIRM_NO: "确认不能办",
    Action.GIVE_REFUSAL_TEXT: "填写不能办理由",
    Action.WITHDRAW: "撤回",
    Action.RECORD_REPLY: "登记回复",
}


class RefusalCategory(StrEnum):
    """Why the principal confirmed a “no” (the 汇总表 counts refusals by these)."""

    LAW = "law"
    CONDITIONS = "conditions"
    OTHER = "other"


REFUSAL_CATEGORY_TITLES: Mapping[RefusalCategory, str] = {
    RefusalCategory.LAW: "法律政策不允许",
    RefusalCategory.CONDITIONS: "客观条件不具备",
    RefusalCategory.OTHER: "其他",
}


class WithdrawReason(StrEnum):
    """Why the submitter withdrew a matter (the digest counts withdrawals by these)."""

    APPLICANT = "applicant"  # 申请人撤回申请
    MISREPORT = "misreport"  # 误报
    OTHER = "other"  # 其他 (the words are ``Matter.withdraw_note``)


WITHDRAW_REASON_TITLES: Mapping[WithdrawReason, str] = {
    WithdrawReason.APPLICANT: "申请人撤回申请",
    WithdrawReason.MISREPORT: "误报",
    WithdrawReason.OTHER: "其他",
}


class AdditionKind(StrEnum):
    """What an addition, made after the applicant was answered, adds to (it never rewrites it)."""

    REASON = "reason"  # 不能办的理由
    WAY_FORWARD = "way_forward"  # 说“行”建议
    COMMENT = "comment"  # 研判意见


ADDITION_KIND_TITLES: Mapping[AdditionKind, str] = {
    AdditionKind.REASON: "理由",
    AdditionKind.WAY_FORWARD: "说“行”建议",
    AdditionKind.COMMENT: "意见",
}


class PromptPurpose(StrEnum):
    """Why the bot is waiting for a person's next plain message."""

    REFUSAL = "refusal"  # the reason and 说“行”建议 of a confirm_no
    COMMENT = "comment"  # an optional comment on one's decision


class ReplyMethod(StrEnum):
    PHONE = "phone"
    WRITTEN = "written"


REPLY_METHOD_TITLES: Mapping[ReplyMethod, str] = {ReplyMethod.PHONE: "电话", ReplyMethod.WRITTEN: "书面"}


class UnitKind(StrEnum):
    BUREAU = "bureau"  # the bureau itself
    SUBORDINATE = "subordinate"  # 局属单位


class GroupKind(StrEnum):
    OFFICE = "office"  # the activity office's group (活动办公室)
    UNIT = "unit"  # a unit's group


class CardKind(StrEnum):
    """What a card is about; the kind says which table ``CardInstance.subject_id`` points into."""

    DECISION = "decision"  # a matter's decision step (models.matter.DecisionStep)
    MORNING = "morning"  # a person's morning list of open steps (subject: models.org.Person)
    COMPLAINT = "complaint"  # a complaint assigned to a section (models.complaints.Complaint)
    WEEKLY_WARNING = "weekly_warning"  # a leader's weekly 预警 list (subject: models.org.Person)


class SimDirection(StrEnum):
    IN = "in"
    OUT = "out"


class SimKind(StrEnum):
    TEXT = "text"
    CARD = "card"
    FILE = "file"
