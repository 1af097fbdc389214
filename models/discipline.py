"""纪检组: cases the complaints office refers to discipline, their findings and the accountability
decisions (责任追究) taken on them (policy §三.2: 涉嫌违规的，由局纪检组组织查处)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.complaints import Complaint
    from models.matter import Matter
    from models.org import Department, Organisation, Person


class DisciplineState(StrEnum):
    REFERRED = "referred"  # 已移送, waiting for the 纪检组
    INVESTIGATING = "investigating"  # 调查中: findings recorded, decisions may follow
    CLOSED = "closed"  # 已结案


class AccountabilityMeasure(StrEnum):
    """责任追究 measures, lightest first (批评教育 … 党纪政务处分, as 依规依纪依法 allows)."""

    CRITICISM = "criticism"  # 批评教育
    ADMONITION = "admonition"  # 诫勉谈话
    CIRCULATED_CRITICISM = "circulated_criticism"  # 通报批评
    ORGANISATIONAL = "organisational"  # 组织处理（调整岗位、停职检查等）
    DISCIPLINARY = "disciplinary"  # 党纪政务处分
    NONE = "none"  # 经查不予追究


class DisciplineCase(Model):
    """A case referred to the 纪检组: a complaint (or a matter) with the office's note."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="discipline_cases"
    )
    organisation_id: int
    complaint: fields.ForeignKeyNullableRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="discipline_cases", null=True, on_delete=fields.SET_NULL
    )
    complaint_id: int | None
    matter: fields.ForeignKeyNullableRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="discipline_cases", null=True, on_delete=fields.SET_NULL
    )
    matter_id: int | None
    # The section the case is about (the complaint's 承办股室 when referred), for the assessment.
    department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="discipline_cases", null=True, on_delete=fields.SET_NULL
    )
    department_id: int | None
    note = fields.TextField()
    referred_by = fields.CharField(max_length=64)
    referred_at = fields.DatetimeField()
    state = fields.CharEnumField(DisciplineState, max_length=16, db_index=True)
    findings = fields.TextField(default="")
    findings_by = fields.CharField(max_length=64, default="")
    findings_at = fields.DatetimeField(null=True)
    closed_by = fields.CharField(max_length=64, default="")
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "discipline_case"


class Accountability(Model):
    """One 责任追究 decision of a case: who is held to account, by which measure, on which day."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="accountabilities"
    )
    organisation_id: int
    case: fields.ForeignKeyRelation[DisciplineCase] = fields.ForeignKeyField(
        "models.DisciplineCase", related_name="accountabilities"
    )
    case_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="accountabilities"
    )
    person_id: int
    measure = fields.CharEnumField(AccountabilityMeasure, max_length=24)
    decided_on = fields.DateField()
    recorded_by = fields.CharField(max_length=64)
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "accountability"
