"""Cards gain the ``weekly_warning`` kind (a leader's weekly 预警 card): only the choices described
on ``card_instance.kind`` change (as in ``0011``); the column (VARCHAR(32)) already holds the value.

``report_task.confirmed_by_account``: the name of the local console account that confirmed a
unit's quarterly table (nullable, so existing rows need no default)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.enums import CardKind


class Migration(migrations.Migration):
    dependencies = [("models", "0018_complaint_attachments")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="CardInstance",
            name="kind",
            field=fields.CharEnumField(
                default=CardKind.DECISION,
                description="DECISION: decision\nMORNING: morning\nCOMPLAINT: complaint\nWEEKLY_WARNING: weekly_warning",
                enum_type=CardKind,
                max_length=32,
            ),
        ),
        ops.AddField(
            model_name="ReportTask",
            name="confirmed_by_account",
            field=fields.CharField(null=True, max_length=64),
        ),
    ]
