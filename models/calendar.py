"""Admin corrections to the working-day calendar (the State Council's schedule comes late)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class HolidayOverride(Model):
    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="holiday_overrides")
    date = fields.DateField()
    is_workday = fields.BooleanField()
    note = fields.CharField(max_length=200, default="")

    class Meta:
        table = "holiday_override"
        unique_together = (("organisation", "date"),)
