"""Quarterly report tasks and the once-only record of scheduled work (reminders, digests)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ReportTask(Model):
    """A unit's quarterly 汇总表, due the 5th working day of the next quarter."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="report_tasks")
    unit = fields.ForeignKeyField("models.Unit", related_name="report_tasks")
    quarter = fields.CharField(max_length=8)  # "2026Q3"
    due_at = fields.DatetimeField()
    opened_at = fields.DatetimeField()
    confirmed_at = fields.DatetimeField(null=True)
    confirmed_by = fields.ForeignKeyField(
        "models.Person", related_name="confirmed_reports", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "report_task"
        unique_together = (("organisation", "unit", "quarter"),)


class DutyRun(Model):
    """A piece of scheduled work that ran: unique per (kind, subject, period), so it runs once."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="duty_runs")
    kind = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64)
    period = fields.CharField(max_length=32, default="")
    ran_at = fields.DatetimeField()

    class Meta:
        table = "duty_run"
        unique_together = (("organisation", "kind", "subject", "period"),)
