"""What the simulator messenger has "delivered": its conversations, cards and group channels."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import SimDirection, SimKind

if TYPE_CHECKING:
    from models.org import Organisation


class SimMessage(Model):
    """One item of a simulated conversation (``channel`` is ``user:<handle>`` or ``group:<id>``).

    ``seq`` is a change counter: set when the item is written and raised again whenever its card is
    updated, so the page can fetch what changed (``?changed_after=``) and not only what is new.
    ``dedupe_key`` makes a retried delivery write the item once.
    """

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="sim_messages"
    )
    organisation_id: int
    channel = fields.CharField(max_length=100, db_index=True)
    direction = fields.CharEnumField(SimDirection, max_length=4)
    kind = fields.CharEnumField(SimKind, max_length=8)
    text = fields.TextField(default="")
    card_ref = fields.CharField(max_length=64, null=True, db_index=True)
    card: dict[str, object] | None = fields.JSONField(null=True)
    attachment_name = fields.CharField(max_length=200, null=True)
    attachment_type = fields.CharField(max_length=200, null=True)
    attachment: bytes | None = fields.BinaryField(null=True)
    dedupe_key = fields.CharField(max_length=255, null=True, unique=True)
    seq = fields.BigIntField(default=0, db_index=True)
    at = fields.DatetimeField()

    class Meta:
        table = "sim_message"
