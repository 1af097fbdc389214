"""办不成事投诉台账: complaints, their timeline and their per-organisation, per-year counter.

The complaint card (``CardKind.COMPLAINT``): only the choices described on ``card_instance.kind``
change (as in ``0011``); the column (VARCHAR(32), no check) already holds the value."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from models.complaints import ComplaintChannel, ComplaintState
from models.enums import CardKind


class Migration(migrations.Migration):
    dependencies = [("models", "0014_unit_rules")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ComplaintCounter",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="complaint_counters", on_delete=OnDelete.CASCADE)),
                ("year", fields.IntField()),
                ("last_seq", fields.IntField(default=0)),
            ],
            options={"table": "complaint_counter", "app": "models", "unique_together": (("organisation", "year"),), "pk_attr": "id", "table_description": "The last complaint number given out per organisation and year (like ``MatterCounter``)."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Complaint",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="complaints", on_delete=OnDelete.CASCADE)),
                ("number", fields.CharField(max_length=32)),
                ("year", fields.IntField()),
                ("seq", fields.IntField()),
                ("channel", fields.CharEnumField(description="PHONE: phone\nVISIT: visit\nLETTER: letter\nWEB_FORM: web_form\nHOTLINE_12345: hotline_12345", enum_type=ComplaintChannel, max_length=16)),
                ("complainant", fields.CharField(max_length=100)),
                ("phone", fields.CharField(max_length=32)),
                ("company", fields.CharField(default="", max_length=200)),
                ("content", fields.TextField(unique=False)),
                ("matter", fields.ForeignKeyField("models.Matter", source_field="matter_id", null=True, db_constraint=True, to_field="id", related_name="complaints", on_delete=OnDelete.SET_NULL)),
                ("state", fields.CharEnumField(db_index=True, description="REGISTERED: registered\nANSWERED: answered\nASSIGNED: assigned\nSIGNED: signed\nEXTENSION_REQUESTED: extension_requested\nDONE: done\nMERGED: merged", enum_type=ComplaintState, max_length=24)),
                ("department", fields.ForeignKeyField("models.Department", source_field="department_id", null=True, db_constraint=True, to_field="id", related_name="complaints", on_delete=OnDelete.SET_NULL)),
                ("deadline_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("answer", fields.TextField(default="", unique=False)),
                ("answer_method", fields.CharField(default="", max_length=64)),
                ("feedback", fields.TextField(default="", unique=False)),
                ("extension_reason", fields.TextField(default="", unique=False)),
                ("merged_into", fields.ForeignKeyField("models.Complaint", source_field="merged_into_id", null=True, db_constraint=True, to_field="id", related_name="merged", on_delete=OnDelete.SET_NULL)),
                ("no_matter_on_file", fields.BooleanField(default=False)),
                ("registered_by", fields.CharField(default="", max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("updated_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("next_reminder_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("reminder_rung", fields.IntField(default=0)),
                ("prompt_person_id", fields.IntField(null=True)),
                ("prompt_action", fields.CharField(default="", max_length=24)),
                ("prompt_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "complaint", "app": "models", "unique_together": (("organisation", "number"), ("organisation", "year", "seq")), "pk_attr": "id", "table_description": "One complaint (投诉/反映) in the ledger, numbered ``TS-2026-0001``."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ComplaintEvent",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="complaint_events", on_delete=OnDelete.CASCADE)),
                ("complaint", fields.ForeignKeyField("models.Complaint", source_field="complaint_id", db_constraint=True, to_field="id", related_name="events", on_delete=OnDelete.CASCADE)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("actor", fields.CharField(max_length=64)),
                ("what", fields.CharField(max_length=32)),
                ("text", fields.TextField(default="", unique=False)),
            ],
            options={"table": "complaint_event", "app": "models", "pk_attr": "id", "table_description": "A row of a complaint's timeline: who did what, when, with which words."},
            bases=["Model"],
        ),
        ops.AddIndex(
            model_name="Complaint",
            index=Index(fields=["organisation_id", "state", "next_reminder_at"]),
        ),
        ops.AlterField(
            model_name="CardInstance",
            name="kind",
            field=fields.CharEnumField(
                default=CardKind.DECISION,
                description="DECISION: decision\nMORNING: morning\nCOMPLAINT: complaint",
                enum_type=CardKind,
                max_length=32,
            ),
        ),
    ]
