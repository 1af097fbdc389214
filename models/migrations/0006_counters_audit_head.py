"""Matter numbers from a per-organisation, per-year counter row, and the audit chain's head as one
row per organisation (both taken with ``UPDATE … RETURNING``, so concurrent writers wait instead of
colliding). Both start from what the database already holds."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0005_reminder_ladder")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AuditHead",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "organisation",
                    fields.OneToOneField(
                        "models.Organisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="audit_head",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("seq", fields.IntField(default=0)),
                ("hash", fields.CharField(max_length=64)),
            ],
            options={
                "table": "audit_head",
                "app": "models",
                "pk_attr": "id",
                "table_description": "The newest row of an organisation's chain (its seq and hash).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MatterCounter",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                (
                    "organisation",
                    fields.ForeignKeyField(
                        "models.Organisation",
                        source_field="organisation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="matter_counters",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("year", fields.IntField()),
                ("last_seq", fields.IntField(default=0)),
            ],
            options={
                "table": "matter_counter",
                "app": "models",
                "unique_together": (("organisation", "year"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunSQL(
            [
                'INSERT INTO "matter_counter" ("organisation_id", "year", "last_seq")'
                ' SELECT "organisation_id", "year", MAX("seq") FROM "matter" GROUP BY "organisation_id", "year"',
                'INSERT INTO "audit_head" ("organisation_id", "seq", "hash")'
                ' SELECT a."organisation_id", a."seq", a."hash" FROM "audit_log" a'
                ' WHERE a."seq" = (SELECT MAX(b."seq") FROM "audit_log" b WHERE b."organisation_id" = a."organisation_id")',
            ],
            reverse_sql=['DELETE FROM "audit_head"', 'DELETE FROM "matter_counter"'],
        ),
    ]
