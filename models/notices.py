"""通报: the activity office's notice on a matter handled against the rules, posted to one group."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.matter import Matter
    from models.org import GroupChannel, Organisation

NOTICE_TEXT_MAX = 2000  # characters of a 通报's text (a group message stays readable)


class Notice(Model):
    """One 通报 as issued: its words, the group it went to and who issued it.

    ``key`` is the form's one-time token, so the same form posted twice issues one 通报 (one outbox
    row)."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="notices"
    )
    organisation_id: int
    matter: fields.ForeignKeyRelation[Matter] = fields.ForeignKeyField(
        "models.Matter", related_name="notices"
    )
    matter_id: int
    group: fields.ForeignKeyRelation[GroupChannel] = fields.ForeignKeyField(
        "models.GroupChannel", related_name="notices"
    )
    group_id: int
    key = fields.CharField(max_length=64)
    text = fields.TextField()
    issued_by = fields.CharField(max_length=64)  # the console viewer's name
    issued_at = fields.DatetimeField()

    class Meta:
        table = "notice"
        unique_together = (("organisation", "key"),)
