"""Working hours of decisions made before they were stored with the decision (NULL columns):
computed once, with the organisation's calendar, the first time a quarter's figures need them."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from bot.calendar.hours import decision_hours
from bot.calendar.workdays import WorkCalendar
from models.enums import StepStatus
from models.matter import DecisionStep, Matter

CHUNK = 500  # rows read and written per transaction: memory stays bounded however many are missing


async def _fill(model: type[Model], since: str, column: str, calendar: WorkCalendar, **window: Any) -> int:
    """Fill ``column`` (NULL) of the ``model`` rows in ``window`` with the working hours from their
    ``since`` to their ``decided_at``, a chunk per transaction, keyset on ``(decided_at, id)``.

    In ``decided_at`` order, which the partial index of migration 0022 (the decisions whose hours
    are missing) gives: ordered by id, PostgreSQL walked the primary key through every row of the
    table to find none, the second or two of every summary once the hours were all stored."""
    filled, after = 0, Q()
    while True:
        rows = cast(
            list[tuple[int, dt.datetime, dt.datetime]],
            await model.filter(after, **window, **{f"{column}__isnull": True})
            .order_by("decided_at", "id")
            .limit(CHUNK)
            .values_list("id", since, "decided_at"),
        )
        if not rows:
            return filled
        async with in_transaction():
            for row_id, start, decided_at in rows:
                hours = decision_hours(calendar, start, decided_at)
                await model.filter(id=row_id, **{f"{column}__isnull": True}).update(**{column: hours})
        filled += len(rows)
        last_id, _, last_at = rows[-1]
        after = Q(decided_at__gt=last_at) | Q(decided_at=last_at, id__gt=last_id)


async def fill_missing_hours(
    organisation_id: int, calendar: WorkCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    """Store the working hours of the matters and steps decided in ``[start, end)`` that have none
    (decided before the columns existed); how many rows were filled. Decisions made since carry
    theirs (`bot.matters.decide`), so once filled this finds nothing and writes nothing."""
    window = {
        "organisation_id": organisation_id,
        "decided_at__gte": start.astimezone(dt.UTC),  # as stored: SQLite compares the text
        "decided_at__lt": end.astimezone(dt.UTC),
    }
    matters = await _fill(Matter, "submitted_at", "decided_hours", calendar, **window)
    steps = await _fill(
        DecisionStep, "opened_at", "working_hours", calendar, status=StepStatus.DECIDED, **window
    )
    return matters + steps
