"""办不成事投诉台账: complaints from companies and citizens, their timeline and their numbers."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.matter import Matter
    from models.org import Department, Organisation


class ComplaintChannel(StrEnum):
    PHONE = "phone"  # 电话
    VISIT = "visit"  # 来访
    LETTER = "letter"  # 来信
    WEB_FORM = "web_form"  # 网上表单
    HOTLINE_12345 = "hotline_12345"  # 12345转办


class ComplaintState(StrEnum):
    REGISTERED = "registered"  # 已登记, waiting for triage
    ANSWERED = "answered"  # 答疑: out of scope, answered
    ASSIGNED = "assigned"  # 已交办 to a section
    SIGNED = "signed"  # 已签收 by the section
    EXTENSION_REQUESTED = "extension_requested"  # 申请延期, the office to rule
    DONE = "done"  # 已办结 with the section's feedback
    MERGED = "merged"  # 并单 into an earlier case
    REPORTED = "reported"  # 已反馈: the office told the complainant the outcome; the rating is awaited
    RATED = "rated"  # 已评价 (好评, or a 差评 whose 申诉 was upheld)
    REOPENED = "reopened"  # 发回重办 after a 差评: the section reworks it by the 整改 deadline
    APPEALED = "appealed"  # 申诉: the section contests the 差评, the office to rule


class ComplaintCounter(Model):
    """The last complaint number given out per organisation and year (like ``MatterCounter``)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="complaint_counters"
    )
    organisation_id: int
    year = fields.IntField()
    last_seq = fields.IntField(default=0)

    class Meta:
        table = "complaint_counter"
        unique_together = (("organisation", "year"),)


class Complaint(Model):
    """One complaint (投诉/反映) in the ledger, numbered ``TS-2026-0001``."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="complaints"
    )
    organisation_id: int
    number = fields.CharField(max_length=32)
    year = fields.IntField()
    seq = fields.IntField()
    channel = fields.CharEnumField(ComplaintChannel, max_length=16)
    complainant = fields.CharField(max_length=100)
    phone = fields.CharField(max_length=32)
    company = fields.CharField(max_length=200, default="")
    content = fields.TextField()
    matter: fields.ForeignKeyNullableRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    matter_id: int | None
    state = fields.CharEnumField(ComplaintState, max_length=24, db_index=True)
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="complaints", null=True, on_delete=fields.SET_NULL
    )
    department_id: int | None
    deadline_at = fields.DatetimeField(null=True)
    answer = fields.TextField(default="")  # 答疑 text
    answer_method = fields.CharField(max_length=64, default="")  # how the complainant was told
    feedback = fields.TextField(default="")  # the section's 办结 feedback
    extension_reason = fields.TextField(default="")
    merged_into: fields.ForeignKeyNullableRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="merged", null=True, on_delete=fields.SET_NULL
    )
    merged_into_id: int | None
    no_matter_on_file = fields.BooleanField(default=False)  # told "no" with no matter: 督办
    registered_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    # When the overdue 催办 ladder must be looked at next; NULL: not chased.
    next_reminder_at = fields.DatetimeField(null=True)
    reminder_rung = fields.IntField(default=0)
    # The card's 办结 / 申请延期 asked this person for words: their next plain message is them.
    prompt_person_id = fields.IntField(null=True)
    prompt_action = fields.CharField(max_length=24, default="")
    prompt_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint"
        unique_together = (("organisation", "number"), ("organisation", "year", "seq"))
        indexes = (("organisation_id", "state", "next_reminder_at"),)


class ComplaintEvent(Model):
    """A row of a complaint's timeline: who did what, when, with which words."""

    id = fields.IntField(primary_key=True)
    # The organisation's own key (as every table it owns has), so backups and restores hold it.
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="complaint_events"
    )
    organisation_id: int
    complaint: fields.ForeignKeyRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="events"
    )
    complaint_id: int
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=64)
    what = fields.CharField(max_length=32)
    text = fields.TextField(default="")

    class Meta:
        table = "complaint_event"
