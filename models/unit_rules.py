"""Each unit's own 说“不”提级管理制度 (policy §一.4): its scope, the situations where staff may
never say no directly, the procedure and conditions, the accountability rules. The named holders of
each level come from the chain (never typed twice). Each part has its own public flag."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation, Unit


class UnitRules(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="unit_rules"
    )
    organisation_id: int
    unit: fields.OneToOneRelation[Unit] = fields.OneToOneField(
        "models.Unit", related_name="rules", on_delete=fields.CASCADE
    )
    unit_id: int
    scope = fields.TextField(default="")  # 适用范围
    scope_public = fields.BooleanField(default=True)
    holders_public = fields.BooleanField(default=True)  # the named holders of each level
    never_refuse = fields.TextField(default="")  # 不得直接说“不”的情形, one per line
    never_refuse_public = fields.BooleanField(default=True)
    procedure = fields.TextField(default="")  # 提级程序和条件
    procedure_public = fields.BooleanField(default=True)
    accountability = fields.TextField(default="")  # 责任追究
    accountability_public = fields.BooleanField(default=False)
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "unit_rules"
        table_description = "A unit's own 说“不”提级管理制度, each part with a public flag."
