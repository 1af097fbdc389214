"""The reason of a withdrawal (``matter.withdraw_reason`` / ``withdraw_note``), the 说“行”建议 a
step keeps while the principal is still giving the words (``decision_step.way_forward``), and the
additions made after the applicant was answered (``decision_addition``).

The two text columns are NOT NULL with '' for the rows already there: tortoise's ``AddField``
emits no database default, which SQLite refuses and PostgreSQL fails on for existing rows, so they
are added by plain SQL (``DEFAULT ''`` kept: the bot always writes them anyway) and the field
operations change only the migration state.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from models.enums import AdditionKind, WithdrawReason

TEXT_COLUMNS_SQL = (
    """ALTER TABLE "matter" ADD COLUMN "withdraw_note" TEXT NOT NULL DEFAULT ''""",
    """ALTER TABLE "decision_step" ADD COLUMN "way_forward" TEXT NOT NULL DEFAULT ''""",
)


class AddTextColumns(ops.TortoiseOperation):
    """The schema change of the two text columns (their state change is ``InStateOnly``'s)."""

    reversible = False

    def describe(self) -> str:
        return "Add matter.withdraw_note and decision_step.way_forward with '' for existing rows"

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None:
            return
        for sql in TEXT_COLUMNS_SQL:
            await state_editor._run_sql(sql)


class InStateOnly(ops.TortoiseOperation):
    """``operation``'s change to the migration state, its schema change being ``AddTextColumns``'s."""

    def __init__(self, operation: ops.TortoiseOperation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only)"

    def state_forward(self, app_label: str, state: Any) -> None:
        self.operation.state_forward(app_label, state)


class Migration(migrations.Migration):
    dependencies = [('models', '0003_card_kind')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Addition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('organisation', fields.ForeignKeyField('models.Organisation', source_field='organisation_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('matter', fields.ForeignKeyField('models.Matter', source_field='matter_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('step', fields.ForeignKeyField('models.DecisionStep', source_field='step_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('person', fields.ForeignKeyField('models.Person', source_field='person_id', db_constraint=True, to_field='id', related_name='additions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REASON: reason\nWAY_FORWARD: way_forward\nCOMMENT: comment', enum_type=AdditionKind, max_length=16)),
                ('text', fields.TextField(unique=False)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'decision_addition', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Words added to a decision after the applicant was answered: the reason, the 说“行”建议 or a'},
            bases=['Model'],
        ),
        AddTextColumns(),
        InStateOnly(ops.AddField(
            model_name='DecisionStep',
            name='way_forward',
            field=fields.TextField(default='', unique=False),
        )),
        InStateOnly(ops.AddField(
            model_name='Matter',
            name='withdraw_note',
            field=fields.TextField(default='', unique=False),
        )),
        ops.AddField(
            model_name='Matter',
            name='withdraw_reason',
            field=fields.CharEnumField(null=True, description='APPLICANT: applicant\nMISREPORT: misreport\nOTHER: other', enum_type=WithdrawReason, max_length=16),
        ),
    ]
