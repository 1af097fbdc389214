"""Cards delivered to people: each has a kind (what it is about) and the id of its subject."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Literal

from tortoise import fields
from tortoise.models import Model

from models.enums import CardKind, Platform
from models.rows import columns, db_time, fetch_models, fetch_rows

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


# Keys merged into a card's platform state by the database, in one statement: no read-modify-write,
# so two writers of the state (a click keeping its ResponseCode, the delivery of the card's update
# recording its own) are merged, never one overwriting the other. Plain literals: every value is
# a parameter; ``$1`` the keys (JSON), ``$2`` the first delivery's time or NULL, ``$3`` ref or id.
_MERGE_STATE = {
    (
        "postgres",
        "ref",
    ): 'UPDATE "card_instance" SET "platform_state" = COALESCE("platform_state", \'{}\'::jsonb)'
    ' || $1::jsonb, "sent_at" = COALESCE($2, "sent_at") WHERE "ref" = $3 RETURNING "id"',
    (
        "postgres",
        "id",
    ): 'UPDATE "card_instance" SET "platform_state" = COALESCE("platform_state", \'{}\'::jsonb)'
    ' || $1::jsonb, "sent_at" = COALESCE($2, "sent_at") WHERE "id" = $3 RETURNING "id"',
    (
        "sqlite",
        "ref",
    ): 'UPDATE "card_instance" SET "platform_state" = json_patch(COALESCE("platform_state", \'{}\'), $1),'
    ' "sent_at" = COALESCE($2, "sent_at") WHERE "ref" = $3 RETURNING "id"',
    (
        "sqlite",
        "id",
    ): 'UPDATE "card_instance" SET "platform_state" = json_patch(COALESCE("platform_state", \'{}\'), $1),'
    ' "sent_at" = COALESCE($2, "sent_at") WHERE "id" = $3 RETURNING "id"',
}


async def merge_platform_state(
    by: Literal["ref", "id"], key: str | int, state: dict[str, str], *, sent_at: dt.datetime | None = None
) -> bool:
    """Merge ``state`` into the platform state of the card whose ``by`` is ``key`` (and set its
    ``sent_at`` when given); False when there is no such card. Inside the caller's transaction,
    if any."""
    dialect = "postgres" if CardInstance._meta.db.capabilities.dialect == "postgres" else "sqlite"
    at = None if sent_at is None else db_time(sent_at)
    values = [json.dumps(state, ensure_ascii=False), at, key]
    return bool(await fetch_rows(CardInstance, _MERGE_STATE[(dialect, by)], values))
