"""Attachments of a matter or of a complaint: photos or PDFs of the documents, stored as files under
the data dir (``stored_path`` is relative to ``Settings.data_dir``), served only to those who may
see the matter (or the complaint). Each row belongs to exactly one of the two."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.complaints import Complaint
    from models.matter import Matter
    from models.org import Organisation, Person


class Attachment(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="attachments"
    )
    organisation_id: int
    matter: fields.ForeignKeyNullableRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="attachments", null=True
    )
    matter_id: int | None
    # A complaint's materials (台账): set instead of ``matter``.
    complaint: fields.ForeignKeyNullableRelation[Complaint] = fields.ForeignKeyField(
        "models.Complaint", related_name="attachments", null=True
    )
    complaint_id: int | None
    # None: uploaded in the console by a local account (the complaint's timeline names it).
    uploader: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="attachments", null=True
    )
    uploader_id: int | None
    filename = fields.CharField(max_length=200)  # as the uploader named it, cleaned
    content_type = fields.CharField(max_length=64)  # from the content's magic bytes, not the upload
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    stored_path = fields.CharField(max_length=255)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "attachment"
        indexes = (("organisation_id", "matter_id"), ("organisation_id", "complaint_id"))
