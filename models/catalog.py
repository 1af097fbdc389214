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
    # 办事指南 (the public guide): what the law says, how long it may take, what to bring, the steps
    legal_basis = fields.TextField(default="")  # 设定依据, e.g. 《道路运输条例》第十条
    time_limit = fields.CharField(max_length=64, default="")  # e.g. 法定20个工作日，承诺5个工作日
    materials = fields.TextField(default="")  # 申请材料, one per line
    steps = fields.TextField(default="")  # 办理流程, one per line
    public = fields.BooleanField(default=True)  # shown on the public page

    def material_list(self) -> list[str]:
        """The required materials, one entry per non-empty line."""
        return [line.strip() for line in self.materials.splitlines() if line.strip()]

    def step_list(self) -> list[str]:
        """The steps of the procedure, one entry per non-empty line."""
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    class Meta:
        table = "catalog_item"
        unique_together = (("organisation", "code"),)
