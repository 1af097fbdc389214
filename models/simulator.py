"""What the simulator messenger has "delivered": its conversations, cards and group channels."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class SimMessage(Model):
    """One item of a simulated conversation (``channel`` is ``user:<handle>`` or ``group:<id>``)."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="sim_messages")
    channel = fields.CharField(max_length=100, db_index=True)
    direction = fields.CharField(max_length=4)  # in | out
    kind = fields.CharField(max_length=8)  # text | card | file
    text = fields.TextField(default="")
    card_ref = fields.CharField(max_length=64, null=True, db_index=True)
    card: dict[str, object] | None = fields.JSONField(null=True)  # type: ignore[assignment]
    attachment_name = fields.CharField(max_length=200, null=True)
    attachment: bytes | None = fields.BinaryField(null=True)  # type: ignore[assignment]
    at = fields.DatetimeField()

    class Meta:
        table = "sim_message"
