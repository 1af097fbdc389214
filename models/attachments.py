"""Attachments of a matter: photos or PDFs of the applicant's documents, stored as files under the
data dir (``stored_path`` is relative to ``Settings.data_dir``), served only to those who may see
the matter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.matter import Matter
    from models.org import Organisation, Person


class Attachment(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="attachments"
    )
    organisation_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="attachments"
    )
    matter_id: int
    uploader: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="attachments"
    )
    uploader_id: int
    filename = fields.CharField(max_length=200)  # as the uploader named it, cleaned
    content_type = fields.CharField(max_length=64)  # from the content's magic bytes, not the upload
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    stored_path = fields.CharField(max_length=255)
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "attachment"
        indexes = (("organisation_id", "matter_id"),)
