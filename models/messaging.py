"""Inbox (dedupe of inbound events) and outbox (every message the bot decided to send)."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import Platform

if TYPE_CHECKING:
    from models.cards import CardInstance
    from models.org import GroupChannel, Organisation, Person


class InboxEntry(Model):
    """An inbound event already applied: the unique key makes platform retries harmless."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="inbox", null=True
    )
    organisation_id: int | None
    key = fields.CharField(max_length=255, unique=True)
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbox"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    MERGED = "merged"  # a card update shown by its card's first delivery (sent in its final form)


class OutboxKind(StrEnum):
    TEXT = "text"
    CARD = "card"
    CARD_UPDATE = "card_update"
    GROUP = "group"


class OutboxMessage(Model):
    """A message written in the same transaction as the change that caused it."""

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="outbox"
    )
    organisation_id: int
    dedupe_key = fields.CharField(max_length=255, unique=True)
    kind = fields.CharEnumField(OutboxKind, max_length=16)
    platform = fields.CharEnumField(Platform, max_length=16)
    person: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="outbox", null=True
    )
    person_id: int | None
    group: fields.ForeignKeyNullableRelation[GroupChannel] = fields.ForeignKeyField(
        "models.GroupChannel", related_name="outbox", null=True
    )
    group_id: int | None
    card: fields.ForeignKeyNullableRelation[CardInstance] = fields.ForeignKeyField(
        "models.CardInstance", related_name="outbox", null=True
    )
    card_id: int | None
    payload: dict[str, object] = fields.JSONField(default=dict)
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox"
