"""``inbound_event``: every platform event stored before its callback is answered (``bot.inbound``).
The partial index serves the worker's claim (the oldest pending event of each sender) and the
figures (pending, failed); applied rows leave it. ``applied_at`` is indexed for pruning."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.enums import Platform
from models.inbound import InboundState


class Migration(migrations.Migration):
    dependencies = [("models", "0019_weekly_warning_card")]

    initial = False

    operations = [
        ops.CreateModel(
            name="InboundEvent",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("key", fields.CharField(unique=True, max_length=255)),
                (
                    "platform",
                    fields.CharEnumField(
                        description="SIMULATOR: simulator\nWECOM: wecom\nDINGTALK: dingtalk",
                        enum_type=Platform,
                        max_length=16,
                    ),
                ),
                (
                    "sender",
                    fields.CharField(
                        description="platform:user id, the events of one sender apply in order", max_length=200
                    ),
                ),
                ("payload", fields.JSONField(default=dict)),
                ("received_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "state",
                    fields.CharEnumField(
                        default=InboundState.PENDING,
                        description="PENDING: pending\nAPPLIED: applied\nFAILED: failed",
                        enum_type=InboundState,
                        max_length=16,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("next_attempt_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("claimed_until", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("applied_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_error", fields.TextField(default="")),
            ],
            options={
                "table": "inbound_event",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One event a platform delivered: its key is the dedupe key, so a re-delivery"
                " is stored once.",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            [
                'CREATE INDEX "idx_inbound_event_open" ON "inbound_event" ("state", "sender", "id")'
                " WHERE \"state\" <> 'applied'",
                'CREATE INDEX "idx_inbound_event_applied_at" ON "inbound_event" ("applied_at")',
            ],
            reverse_sql=[
                'DROP INDEX "idx_inbound_event_applied_at"',
                'DROP INDEX "idx_inbound_event_open"',
            ],
        ),
    ]
