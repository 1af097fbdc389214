"""纪检组: cases referred by the complaints office (discipline_case) and their 责任追究 decisions
(accountability)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.discipline import AccountabilityMeasure, DisciplineState
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [("models", "0016_complaint_feedback")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DisciplineCase",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="discipline_cases", on_delete=OnDelete.CASCADE)),
                ("complaint", fields.ForeignKeyField("models.Complaint", source_field="complaint_id", null=True, db_constraint=True, to_field="id", related_name="discipline_cases", on_delete=OnDelete.SET_NULL)),
                ("matter", fields.ForeignKeyField("models.Matter", source_field="matter_id", null=True, db_constraint=True, to_field="id", related_name="discipline_cases", on_delete=OnDelete.SET_NULL)),
                ("department", fields.ForeignKeyField("models.Department", source_field="department_id", null=True, db_constraint=True, to_field="id", related_name="discipline_cases", on_delete=OnDelete.SET_NULL)),
                ("note", fields.TextField(unique=False)),
                ("referred_by", fields.CharField(max_length=64)),
                ("referred_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("state", fields.CharEnumField(db_index=True, description="REFERRED: referred\nINVESTIGATING: investigating\nCLOSED: closed", enum_type=DisciplineState, max_length=16)),
                ("findings", fields.TextField(default="", unique=False)),
                ("findings_by", fields.CharField(default="", max_length=64)),
                ("findings_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("closed_by", fields.CharField(default="", max_length=64)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "discipline_case", "app": "models", "pk_attr": "id", "table_description": "A case referred to the 纪检组: a complaint (or a matter) with the office's note."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Accountability",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.CASCADE)),
                ("case", fields.ForeignKeyField("models.DisciplineCase", source_field="case_id", db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.CASCADE)),
                ("person", fields.ForeignKeyField("models.Person", source_field="person_id", db_constraint=True, to_field="id", related_name="accountabilities", on_delete=OnDelete.CASCADE)),
                ("measure", fields.CharEnumField(description="CRITICISM: criticism\nADMONITION: admonition\nCIRCULATED_CRITICISM: circulated_criticism\nORGANISATIONAL: organisational\nDISCIPLINARY: disciplinary\nNONE: none", enum_type=AccountabilityMeasure, max_length=24)),
                ("decided_on", fields.DateField()),
                ("recorded_by", fields.CharField(max_length=64)),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "accountability", "app": "models", "pk_attr": "id", "table_description": "One 责任追究 decision of a case: who is held to account, by which measure, on which day."},
            bases=["Model"],
        ),
    ]
