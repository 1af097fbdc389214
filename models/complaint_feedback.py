"""Feedback to a complainant (回访): what they were told, their 好差评 rating, one 追评, the 发回重办
a 差评 causes, and the section's 申诉 against it with the office's ruling."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import ReplyMethod

if TYPE_CHECKING:
    from models.complaints import Complaint
    from models.org import Organisation


class Satisfaction(StrEnum):
    """The national 政务服务“好差评” scale; the last two are 差评."""

    VERY_SATISFIED = "very_satisfied"  # 非常满意
    SATISFIED = "satisfied"  # 满意
    BASIC = "basic"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    VERY_DISSATISFIED = "very_dissatisfied"  # 非常不满意


class Solved(StrEnum):
    """Asked separately from satisfaction: was the problem solved?"""

    YES = "yes"  # 是
    PARTLY = "partly"  # 部分
    NO = "no"  # 否


class RatingSource(StrEnum):
    OFFICE = "office"  # recorded by the office (回访)
    COMPLAINANT = "complainant"  # given on the public lookup page


class AppealRuling(StrEnum):
    UPHELD = "upheld"  # 申诉成立: the 差评 stays on file but the rework ends
    REJECTED = "rejected"  # 申诉不成立: the rework goes on


class ComplaintFeedback(Model):
    """One round of feedback: the office's report to the complainant and, once given, the rating."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="complaint_feedback"
    )
    organisation_id: int
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="feedback_rounds"
    )
    complaint_id: int
    round = fields.IntField(default=1)
    method = fields.CharEnumField(ReplyMethod, max_length=16)
    told_at = fields.DatetimeField()  # when the complainant was told
    summary = fields.TextField()
    recorded_by = fields.CharField(max_length=64)
    recorded_at = fields.DatetimeField()
    satisfaction = fields.CharEnumField(Satisfaction, max_length=24, null=True)
    solved = fields.CharEnumField(Solved, max_length=8, null=True)
    rating_comment = fields.TextField(default="")
    rating_source = fields.CharEnumField(RatingSource, max_length=16, null=True)
    rated_by = fields.CharField(max_length=64, default="")
    rated_at = fields.DatetimeField(null=True)
    follow_up = fields.TextField(default="")  # 追评: once, never over the rating
    follow_up_source = fields.CharEnumField(RatingSource, max_length=16, null=True)
    follow_up_at = fields.DatetimeField(null=True)
    rework_reason = fields.TextField(default="")  # 发回重办 (a 差评)
    rework_deadline_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint_feedback"
        unique_together = (("complaint", "round"),)


class ComplaintAppeal(Model):
    """The section's 申诉 against a 差评 and the office's ruling (the rating itself never changes)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="complaint_appeals"
    )
    organisation_id: int
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="appeals"
    )
    complaint_id: int
    feedback: fields.ForeignKeyRelation[ComplaintFeedback] = fields.OneToOneField(
        "models.ComplaintFeedback", related_name="appeal"
    )
    feedback_id: int
    evidence = fields.TextField()
    filed_by = fields.CharField(max_length=64)
    filed_at = fields.DatetimeField()
    ruling = fields.CharEnumField(AppealRuling, max_length=16, null=True)
    ruling_note = fields.TextField(default="")
    ruled_by = fields.CharField(max_length=64, default="")
    ruled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint_appeal"
