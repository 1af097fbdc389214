"""Which tables a backup holds, in an order that restores (parents before children), and how their
values become JSON and back.

Every model with an ``organisation`` foreign key (or one-to-one key, as the audit chain's head) belongs to an organisation and is backed up with
it; the order follows the foreign keys, so a new model needs no change here. Values are written as
JSON (dates and times in ISO 8601, decimals as strings, enums as their values) and read back by
the model's own field types.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from graphlib import TopologicalSorter
from typing import Any

from tortoise import Tortoise, fields
from tortoise.models import Model

from models.org import Organisation


def _related(model: type[Model]) -> set[type[Model]]:
    meta = model._meta
    names = meta.fk_fields | meta.o2o_fields
    return {meta.fields_map[name].related_model for name in names} - {model}  # type: ignore[attr-defined]


def organisation_models() -> list[type[Model]]:
    """Organisation first, then every model that has an ``organisation`` foreign key, parents first."""
    owned = [
        model
        for model in Tortoise.apps["models"].values()
        if model is Organisation or "organisation" in model._meta.fk_fields | model._meta.o2o_fields
    ]
    graph = {model: _related(model) & set(owned) for model in owned}
    order = list(TopologicalSorter(graph).static_order())
    order.remove(Organisation)
    return [Organisation, *order]


# Tables left out of every backup on purpose, with the reason. ``inbound_event`` is the callbacks'
# queue: a row is stored before its sender is known to belong to any organisation, and once the
# worker applies it, what it changed is in the organisation's own tables (the row is pruned after
# two days). A restore starts with an empty queue.
NOT_BACKED_UP = {
    "inbound_event": "the callbacks' queue (bot.inbound), applied into the organisation's tables"
}


def unowned_models() -> list[str]:
    """Tables that belong to no organisation and so are in no backup, but for ``NOT_BACKED_UP``."""
    owned = set(organisation_models())
    return sorted(
        m._meta.db_table
        for m in Tortoise.apps["models"].values()
        if m not in owned and m._meta.db_table not in NOT_BACKED_UP
    )


def columns(model: type[Model]) -> list[str]:
    """The stored fields of ``model`` (foreign keys as ``<name>_id``), primary key first."""
    names = list(model._meta.fields_db_projection)
    pk = model._meta.pk_attr
    return [pk, *(n for n in names if n != pk)]


def to_json(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def from_json(model: type[Model], name: str, value: Any) -> Any:
    """``value`` as read from the file, turned back into what ``model.<name>`` holds."""
    if value is None:
        return None
    field = model._meta.fields_map[name]
    enum_type = getattr(field, "enum_type", None)
    if enum_type is not None:
        return enum_type(value)
    if isinstance(field, fields.DatetimeField):
        return dt.datetime.fromisoformat(value)
    if isinstance(field, fields.DateField):
        return dt.date.fromisoformat(value)
    if isinstance(field, fields.TimeField):
        return dt.time.fromisoformat(value)
    if isinstance(field, fields.DecimalField):
        return decimal.Decimal(value)
    return value
