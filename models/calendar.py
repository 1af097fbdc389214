"""Admin corrections to the working-day calendar (the State Council's schedule comes late)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation


class HolidayOverride(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="holiday_overrides"
    )
    organisation_id: int
    date = fields.DateField()
    is_workday = fields.BooleanField()
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "holiday_override"
        unique_together = (("organisation", "date"),)
