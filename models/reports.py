"""Quarterly report tasks and the once-only record of scheduled work (reminders, digests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation, Person, Unit


class ReportTask(Model):
    """A unit's quarterly 汇总表, due the 5th working day of the next quarter."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="report_tasks"
    )
    organisation_id: int
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField("models.Unit", related_name="report_tasks")
    unit_id: int
    quarter = fields.CharField(max_length=8)  # "2026Q3"
    due_at = fields.DatetimeField()
    opened_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="confirmed_reports", null=True, on_delete=fields.SET_NULL
    )
    confirmed_by_id: int | None
    # A local console account (``tiji user add``) that confirmed it: its name at the time. An
    # account is no person, so ``confirmed_by`` stays empty then.
    confirmed_by_account = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "report_task"
        unique_together = (("organisation", "unit", "quarter"),)


class DutyRun(Model):
    """A piece of scheduled work that ran: unique per (kind, subject, period), so it runs once."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="duty_runs"
    )
    organisation_id: int
    kind = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64)
    period = fields.CharField(max_length=32, default="")
    ran_at = fields.DatetimeField()

    class Meta:
        table = "duty_run"
        unique_together = (("organisation", "kind", "subject", "period"),)
