"""Per-organisation counters: the last matter number given out in each year.

The row is bumped with ``UPDATE … RETURNING`` inside the creating transaction, so concurrent
submissions of one organisation wait for each other's commit instead of colliding; a transaction
that rolls back gives its number back, so numbers stay gap-free.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.org import Organisation

PLACEHOLDER = re.compile(r"\$\d+")


class MatterCounter(Model):
    id = fields.IntField(primary_key=True)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="matter_counters"
    )
    organisation_id: int
    year = fields.IntField()
    last_seq = fields.IntField(default=0)

    class Meta:
        table = "matter_counter"
        unique_together = (("organisation", "year"),)


async def first_row(model: type[Model], sql: str, values: list[object]) -> dict[str, Any] | None:
    """Run one statement on ``model``'s connection (the current transaction's, if any) and return
    its first row. ``sql`` uses PostgreSQL's ``$n`` placeholders, each once and in order, so the
    same text runs on SQLite with ``?``."""
    db = model._meta.db
    if db.capabilities.dialect != "postgres":
        sql = PLACEHOLDER.sub("?", sql)
    rows = await db.execute_query_dict(sql, values)
    return rows[0] if rows else None
