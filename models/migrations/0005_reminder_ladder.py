"""The 催办 ladder: when each open step and each owed reply is looked at next (indexed so a pass
selects only what is due), and the 会商 step status 逾期未答复 (``overdue``)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import StepStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_withdraw_reason_additions')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='DecisionStep',
            name='status',
            field=fields.CharEnumField(db_index=True, description='PENDING: pending\nAWAITING_TEXT: awaiting_text\nDECIDED: decided\nSUPERSEDED: superseded\nOVERDUE: overdue', enum_type=StepStatus, max_length=16),
        ),
        ops.AddField(
            model_name='DecisionStep',
            name='next_reminder_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='DecisionStep',
            index=Index(fields=['organisation_id', 'status', 'next_reminder_at']),
        ),
        ops.AddField(
            model_name='Matter',
            name='next_reminder_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Matter',
            index=Index(fields=['organisation_id', 'state', 'next_reminder_at']),
        ),
    ]
