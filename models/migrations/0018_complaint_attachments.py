"""A complaint's materials (台账): an attachment belongs to a matter or to a complaint.

``attachment.matter_id`` and ``uploader_id`` (a console account is no person) become nullable (SQLite rebuilds the table, with foreign keys off as
every migration runs there; PostgreSQL drops the NOT NULL) and ``complaint_id`` is added, nullable,
with its index beside the matter's. Existing rows keep their matter and get no complaint."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0017_discipline")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="Attachment",
            name="matter",
            field=fields.ForeignKeyField("models.Matter", source_field="matter_id", null=True, db_constraint=True, to_field="id", related_name="attachments", on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name="Attachment",
            name="uploader",
            field=fields.ForeignKeyField("models.Person", source_field="uploader_id", null=True, db_constraint=True, to_field="id", related_name="attachments", on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name="Attachment",
            name="complaint",
            field=fields.ForeignKeyField("models.Complaint", source_field="complaint_id", null=True, db_constraint=True, to_field="id", related_name="attachments", on_delete=OnDelete.CASCADE),
        ),
        ops.AddIndex(
            model_name="Attachment",
            index=Index(fields=["organisation_id", "complaint_id"]),
        ),
    ]
