"""Hot-path reads as precompiled SQL: the statement's text is built once per model (from its
metadata) instead of by the query builder on every event, and the rows become models the way
tortoise's own executor makes them (``Model._init_from_db``).

The worker spends most of an event building the same few SELECTs (a tap's sender, card, steps,
section); these helpers keep those to a parameter list. Statements use PostgreSQL's ``$n``
placeholders, each once and in order, so the same text runs on SQLite with ``?``
(``models.counters.first_row``'s rule).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from tortoise import fields
from tortoise.models import Model

from models.counters import PLACEHOLDER

M = TypeVar("M", bound=Model)
_DATETIME = fields.DatetimeField(null=True)


def columns(model: type[Model], prefix: str = "") -> str:
    """``model``'s columns for a SELECT list, qualified by its table; with ``prefix`` each is named
    ``prefix + column`` (a joined model's columns, told apart by ``split``)."""
    # Keyed on ``_inited``: a model's foreign key columns join its metadata when tortoise starts.
    return _columns(model, prefix, model._meta._inited)


@functools.cache
def _columns(model: type[Model], prefix: str, _inited: bool) -> str:
    meta = model._meta
    table = meta.db_table
    names = list(meta.fields_db_projection.values())
    if not prefix:
        return ", ".join(f'"{table}"."{name}"' for name in names)
    return ", ".join(f'"{table}"."{name}" AS "{prefix}{name}"' for name in names)


def db_time(value: dt.datetime) -> Any:
    """A datetime as a parameter, checked as tortoise checks a field's (aware, when time zones are
    on); the drivers then store it as tortoise would (SQLite: its adapter's text form)."""
    return _DATETIME.to_db_value(value, Model)


def placeholders(start: int, count: int) -> str:
    """``$start, …`` for ``count`` values (an ``IN`` list; ``count`` > 0)."""
    return ", ".join(f"${n}" for n in range(start, start + count))


async def fetch_rows(model: type[Model], sql: str, values: Sequence[object]) -> list[dict[str, Any]]:
    """Run ``sql`` on ``model``'s connection (the current transaction's, if any): its rows."""
    db = model._meta.db
    if db.capabilities.dialect != "postgres":
        sql = PLACEHOLDER.sub("?", sql)
    return list(await db.execute_query_dict(sql, list(values)))


async def fetch_models(model: type[M], sql: str, values: Sequence[object]) -> list[M]:
    """``sql``'s rows (selecting ``columns(model)``) as ``model`` instances."""
    return [model._init_from_db(**row) for row in await fetch_rows(model, sql, values)]


def split(model: type[M], row: dict[str, Any], prefix: str) -> M | None:
    """The ``model`` selected into ``row`` with ``columns(model, prefix)``; None when a LEFT JOIN
    found none (its primary key is NULL)."""
    meta = model._meta
    if row.get(prefix + meta.db_pk_column) is None:
        return None
    return model._init_from_db(**{name: row[prefix + name] for name in meta.fields_db_projection.values()})


def attach(instance: Model, relation: str, related: Model | None) -> None:
    """Set a foreign key's loaded object, as ``select_related`` does."""
    object.__setattr__(instance, f"_{relation}", related)
