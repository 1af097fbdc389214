"""Append-only audit log; each row carries the hash of the previous one (per organisation). The
chain's head (last seq and hash) is one row per organisation, locked by each writer until commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation


class AuditEntry(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="audit"
    )
    organisation_id: int
    seq = fields.IntField()
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=64)
    action = fields.CharField(max_length=64)
    subject = fields.CharField(max_length=64)
    data: dict[str, object] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_log"
        unique_together = (("organisation", "seq"),)


class AuditHead(Model):
    """The newest row of an organisation's chain (its seq and hash).

    Appending updates it first, so its row lock makes concurrent writers of one organisation queue
    (not collide) until the holder commits."""

    id = fields.IntField(primary_key=True)
    organisation: fields.OneToOneRelation[Organisation] = fields.OneToOneField(
        "models.Organisation", related_name="audit_head"
    )
    organisation_id: int
    seq = fields.IntField(default=0)
    hash = fields.CharField(max_length=64)

    class Meta:
        table = "audit_head"
