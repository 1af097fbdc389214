"""Outbox rows gain the ``merged`` status: a card update shown by its card's first delivery."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.messaging import OutboxStatus


class Migration(migrations.Migration):
    dependencies = [("models", "0007_working_hours")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="OutboxMessage",
            name="status",
            field=fields.CharEnumField(
                default=OutboxStatus.PENDING,
                db_index=True,
                description="PENDING: pending\nSENT: sent\nFAILED: failed\nMERGED: merged",
                enum_type=OutboxStatus,
                max_length=16,
            ),
        ),
    ]
