"""Inbound events stored before they are applied (``bot.inbound``): the platform's callback is
answered once its event is in this table, and the worker applies it afterwards."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from models.enums import Platform


class InboundState(StrEnum):
    PENDING = "pending"  # stored, not applied yet (maybe being applied under a lease)
    APPLIED = "applied"  # the router ran it (its reply, if any, is in the outbox)
    FAILED = "failed"  # our own failures, every attempt: the sender was told to try again


class InboundEvent(Model):
    """One event a platform delivered: its key is the dedupe key, so a re-delivery is stored once."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=255, unique=True)
    platform = fields.CharEnumField(Platform, max_length=16)
    sender = fields.CharField(
        max_length=200, description="platform:user id, the events of one sender apply in order"
    )
    payload: dict[str, object] = fields.JSONField(default=dict)
    received_at = fields.DatetimeField()
    state = fields.CharEnumField(InboundState, max_length=16, default=InboundState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    claimed_until = fields.DatetimeField(null=True)
    applied_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")

    class Meta:
        table = "inbound_event"
