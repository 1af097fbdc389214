"""Feedback to the complainant (回访), the 好差评 rating, 追评, 发回重办 and 申诉: two tables, and the
complaint's new states (only the choices described on ``complaint.state`` change; the column,
VARCHAR(24), already holds the values)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from models.complaint_feedback import AppealRuling, RatingSource, Satisfaction, Solved
from models.complaints import ComplaintState
from models.enums import ReplyMethod


class Migration(migrations.Migration):
    dependencies = [("models", "0015_complaints")]

    initial = False

    operations = [
        ops.CreateModel(
            name="ComplaintFeedback",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="complaint_feedback", on_delete=OnDelete.CASCADE)),
                ("complaint", fields.ForeignKeyField("models.Complaint", source_field="complaint_id", db_constraint=True, to_field="id", related_name="feedback_rounds", on_delete=OnDelete.CASCADE)),
                ("round", fields.IntField(default=1)),
                ("method", fields.CharEnumField(description="PHONE: phone\nWRITTEN: written", enum_type=ReplyMethod, max_length=16)),
                ("told_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("summary", fields.TextField(unique=False)),
                ("recorded_by", fields.CharField(max_length=64)),
                ("recorded_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("satisfaction", fields.CharEnumField(null=True, description="VERY_SATISFIED: very_satisfied\nSATISFIED: satisfied\nBASIC: basic\nDISSATISFIED: dissatisfied\nVERY_DISSATISFIED: very_dissatisfied", enum_type=Satisfaction, max_length=24)),
                ("solved", fields.CharEnumField(null=True, description="YES: yes\nPARTLY: partly\nNO: no", enum_type=Solved, max_length=8)),
                ("rating_comment", fields.TextField(default="", unique=False)),
                ("rating_source", fields.CharEnumField(null=True, description="OFFICE: office\nCOMPLAINANT: complainant", enum_type=RatingSource, max_length=16)),
                ("rated_by", fields.CharField(default="", max_length=64)),
                ("rated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("follow_up", fields.TextField(default="", unique=False)),
                ("follow_up_source", fields.CharEnumField(null=True, description="OFFICE: office\nCOMPLAINANT: complainant", enum_type=RatingSource, max_length=16)),
                ("follow_up_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("rework_reason", fields.TextField(default="", unique=False)),
                ("rework_deadline_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "complaint_feedback", "app": "models", "unique_together": (("complaint", "round"),), "pk_attr": "id", "table_description": "One round of feedback: the office's report to the complainant and, once given, the rating."},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ComplaintAppeal",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("organisation", fields.ForeignKeyField("models.Organisation", source_field="organisation_id", db_constraint=True, to_field="id", related_name="complaint_appeals", on_delete=OnDelete.CASCADE)),
                ("complaint", fields.ForeignKeyField("models.Complaint", source_field="complaint_id", db_constraint=True, to_field="id", related_name="appeals", on_delete=OnDelete.CASCADE)),
                ("feedback", fields.OneToOneField("models.ComplaintFeedback", source_field="feedback_id", db_constraint=True, to_field="id", related_name="appeal", on_delete=OnDelete.CASCADE)),
                ("evidence", fields.TextField(unique=False)),
                ("filed_by", fields.CharField(max_length=64)),
                ("filed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ruling", fields.CharEnumField(null=True, description="UPHELD: upheld\nREJECTED: rejected", enum_type=AppealRuling, max_length=16)),
                ("ruling_note", fields.TextField(default="", unique=False)),
                ("ruled_by", fields.CharField(default="", max_length=64)),
                ("ruled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={"table": "complaint_appeal", "app": "models", "pk_attr": "id", "table_description": "The section's 申诉 against a 差评 and the office's ruling (the rating itself never changes)."},
            bases=["Model"],
        ),
        ops.AlterField(
            model_name="Complaint",
            name="state",
            field=fields.CharEnumField(db_index=True, description="REGISTERED: registered\nANSWERED: answered\nASSIGNED: assigned\nSIGNED: signed\nEXTENSION_REQUESTED: extension_requested\nDONE: done\nMERGED: merged\nREPORTED: reported\nRATED: rated\nREOPENED: reopened\nAPPEALED: appealed", enum_type=ComplaintState, max_length=24),
        ),
    ]
