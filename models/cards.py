"""Cards delivered to people: each has a kind (what it is about) and the id of its subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from models.enums import CardKind, Platform
from models.rows import columns, fetch_models

if TYPE_CHECKING:
    from models.org import Organisation, Person


class CardInstance(Model):
    """A card delivered to one person. ``ref`` is its unguessable id on every platform.

    ``subject_id`` is not a foreign key: its table depends on ``kind`` (a decision step today, a
    complaint later), and a tap is routed by kind before the subject is loaded.
    """

    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="cards"
    )
    organisation_id: int
    ref = fields.CharField(max_length=64, unique=True)
    # Wider than today's values so a new kind needs no schema change.
    kind = fields.CharEnumField(CardKind, max_length=32, default=CardKind.DECISION)
    subject_id = fields.IntField()
    recipient: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "models.Person", related_name="cards"
    )
    recipient_id: int
    platform = fields.CharEnumField(Platform, max_length=16)
    platform_state: dict[str, str] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "card_instance"
        indexes = (("kind", "subject_id"),)


async def card_by_ref(ref: str, organisation_id: int) -> CardInstance | None:
    """The organisation's card with ``ref`` (a tap names it), one precompiled SELECT."""
    sql = f'SELECT {columns(CardInstance)} FROM "card_instance" WHERE "ref" = $1 AND "organisation_id" = $2'  # noqa: S608  # nosec B608: names from model metadata
    found = await fetch_models(CardInstance, sql, [ref, organisation_id])
    return found[0] if found else None


async def cards_of(kind: CardKind, subject_id: int) -> list[CardInstance]:
    """Every card of ``kind`` about ``subject_id``, oldest first."""
    sql = (
        f'SELECT {columns(CardInstance)} FROM "card_instance"'  # noqa: S608  # nosec B608: names from model metadata
        ' WHERE "kind" = $1 AND "subject_id" = $2 ORDER BY "id"'
    )
    return await fetch_models(CardInstance, sql, [kind.value, subject_id])
