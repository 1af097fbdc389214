"""Each unit's own 说“不”提级管理制度 (``unit_rules``): scope, the situations where staff may never
say no directly, the procedure and conditions, accountability, each part with a public flag."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("models", "0013_showcase_notices")]

    initial = False

    operations = [
        ops.CreateModel(
            name="UnitRules",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="unit_rules",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "unit",
                    fields.OneToOneField(
                        "models.Unit",
                        source_field="unit_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="rules",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("scope", fields.TextField(default="")),
                ("scope_public", fields.BooleanField(default=True)),
                ("holders_public", fields.BooleanField(default=True)),
                ("never_refuse", fields.TextField(default="")),
                ("never_refuse_public", fields.BooleanField(default=True)),
                ("procedure", fields.TextField(default="")),
                ("procedure_public", fields.BooleanField(default=True)),
                ("accountability", fields.TextField(default="")),
                ("accountability_public", fields.BooleanField(default=False)),
                ("updated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "unit_rules",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A unit's own 说“不”提级管理制度, each part with a public flag.",
            },
            bases=["Model"],
        ),
    ]
