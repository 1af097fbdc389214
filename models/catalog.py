"""事项清单: per section, the matters in scope of the policy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Department, Organisation

CATALOG_CATEGORIES = ("行政许可", "政务服务", "来信来访", "投诉咨询", "堵点断点")


class CatalogItem(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="catalog"
    )
    organisation_id: int
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="catalog"
    )
    department_id: int
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=200)
    category = fields.CharField(max_length=16)
    description = fields.TextField(default="")

    class Meta:
        table = "catalog_item"
        unique_together = (("organisation", "code"),)
