"""典型案例 get their write-up and the time they were marked; 通报 (notices on a matter handled
against the rules, posted to a chosen group) get a table. Existing matters have no write-up.

``matter.showcase_note`` is NOT NULL with '' for the rows already there: tortoise's ``AddField``
emits no database default (SQLite refuses it, PostgreSQL fails on existing rows), so the column is
added by plain SQL and the field operation changes only the migration state (as in 0004).
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


def _fk(model: str, source_field: str) -> fields.ForeignKeyField:  # type: ignore[type-arg]
    return fields.ForeignKeyField(
        model,
        source_field=source_field,
        db_constraint=True,
        to_field="id",
        related_name="notices",
        on_delete=OnDelete.CASCADE,
    )


NOTE_COLUMN_SQL = """ALTER TABLE "matter" ADD COLUMN "showcase_note" TEXT NOT NULL DEFAULT ''"""


class AddNoteColumn(ops.TortoiseOperation):
    """The schema change of ``matter.showcase_note`` (its state change is ``InStateOnly``'s)."""

    reversible = False

    def describe(self) -> str:
        return "Add matter.showcase_note with '' for existing rows"

    async def database_forward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: Any = None
    ) -> None:
        if state_editor is not None:
            await state_editor._run_sql(NOTE_COLUMN_SQL)


class InStateOnly(ops.TortoiseOperation):
    """``operation``'s change to the migration state, its schema change being ``AddNoteColumn``'s."""

    def __init__(self, operation: ops.TortoiseOperation) -> None:
        self.operation = operation

    def describe(self) -> str:
        return f"{self.operation.describe()} (state only)"

    def state_forward(self, app_label: str, state: Any) -> None:
        self.operation.state_forward(app_label, state)


class Migration(migrations.Migration):
    dependencies = [("models", "0012_console_accounts")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Notice",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", _fk("models.Organisation", "organisation_id")),
                ("matter", _fk("models.Matter", "matter_id")),
                ("group", _fk("models.GroupChannel", "group_id")),
                ("key", fields.CharField(max_length=64)),
                ("text", fields.TextField(unique=False)),
                ("issued_by", fields.CharField(max_length=64)),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "notice",
                "app": "models",
                "unique_together": (("organisation", "key"),),
                "pk_attr": "id",
                "table_description": "One 通报 as issued: its words, the group it went to and who issued it.",
            },
            bases=["Model"],
        ),
        AddNoteColumn(),
        InStateOnly(
            ops.AddField(
                model_name="Matter",
                name="showcase_note",
                field=fields.TextField(default="", unique=False),
            )
        ),
        ops.AddField(
            model_name="Matter",
            name="showcase_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
