"""Inbox (dedupe of inbound events) and outbox (every message the bot decided to send)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class InboxEntry(Model):
    """An inbound event already applied; the unique key makes platform retries harmless."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="inbox", null=True)
    key = fields.CharField(max_length=255, unique=True)
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbox"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxKind(StrEnum):
    TEXT = "text"
    CARD = "card"
    CARD_UPDATE = "card_update"
    GROUP = "group"


class OutboxMessage(Model):
    """A message written in the same transaction as the change that caused it."""

    id = fields.IntField(primary_key=True)
    organisation = fields.ForeignKeyField("models.Organisation", related_name="outbox")
    dedupe_key = fields.CharField(max_length=255, unique=True)
    kind = fields.CharField(max_length=16)
    platform = fields.CharField(max_length=16)
    person = fields.ForeignKeyField("models.Person", related_name="outbox", null=True)
    group = fields.ForeignKeyField("models.GroupChannel", related_name="outbox", null=True)
    card = fields.ForeignKeyField("models.CardInstance", related_name="outbox", null=True)
    payload: dict[str, object] = fields.JSONField(default=dict)  # type: ignore[assignment]
    status = fields.CharField(max_length=16, default=OutboxStatus.PENDING.value, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
