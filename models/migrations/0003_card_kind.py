"""Cards of any kind: ``card_instance.step_id`` (a foreign key to the decision step) becomes
``kind`` + ``subject_id``. Existing cards are decision cards, and their step is their subject.

The columns are changed with plain ``ALTER TABLE`` statements rather than tortoise's field
operations: on SQLite those rebuild the table, and tortoise 1.1.9 keeps a removed foreign key's
``step_id`` column (NOT NULL, unfilled) in the rebuilt table, so the copy of the existing rows fails.
SQLite ≥ 3.35 adds and drops these columns in place, with no rebuild.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from models.enums import CardKind

SHARED_SQL = (
    """ALTER TABLE "card_instance" ADD COLUMN "kind" VARCHAR(32) NOT NULL DEFAULT 'decision'""",
    # A column added NOT NULL needs a default for the rows already there; they get their step next.
    """ALTER TABLE "card_instance" ADD COLUMN "subject_id" INT NOT NULL DEFAULT 0""",
    'UPDATE "card_instance" SET "subject_id" = "step_id"',
    'ALTER TABLE "card_instance" DROP COLUMN "step_id"',
)
# SQLite cannot drop a column's default in place; the bot always writes subject_id anyway.
POSTGRES_SQL = ('ALTER TABLE "card_instance" ALTER COLUMN "subject_id" DROP DEFAULT',)


class StepToSubject(ops.TortoiseOperation):
    """The schema and data change (the state change is in the ``InStateOnly`` operations)."""

    reversible = False

    def describe(self) -> str:
        return "Move card_instance.step_id to kind + subject_id"

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is None:
            return
        statements = SHARED_SQL + (POSTGRES_SQL if state_editor.DIALECT == "postgres" else ())
        for sql in statements:
            await state_editor._run_sql(sql)


class InStateOnly(ops.TortoiseOperation):
    """``operation``'s change to the migration state, its schema change being ``StepToSubject``'s."""

    def __init__(self, operation: ops.TortoiseOperation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only)"

    def state_forward(self, app_label: str, state: Any) -> None:
        self.operation.state_forward(app_label, state)


class Migration(migrations.Migration):
    dependencies = [("models", "0002_enum_fields")]

    initial = False

    operations = [
        StepToSubject(),
        InStateOnly(
            ops.AddField(
                model_name="CardInstance",
                name="kind",
                field=fields.CharEnumField(
                    default=CardKind.DECISION,
                    description="DECISION: decision",
                    enum_type=CardKind,
                    max_length=32,
                ),
            )
        ),
        InStateOnly(ops.AddField(model_name="CardInstance", name="subject_id", field=fields.IntField())),
        InStateOnly(ops.RemoveField(model_name="CardInstance", name="step")),
        ops.AlterModelOptions(
            name="CardInstance",
            options={
                "table": "card_instance",
                "app": "models",
                "indexes": [Index(fields=["kind", "subject_id"])],
                "pk_attr": "id",
                "table_description": "A card delivered to one person. ``ref`` is its unguessable id on every platform.",
            },
        ),
        ops.AddIndex(model_name="CardInstance", index=Index(fields=["kind", "subject_id"])),
    ]
