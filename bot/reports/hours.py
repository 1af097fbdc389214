"""Working hours of decisions made before they were stored with the decision (NULL columns):
computed once, with the organisation's calendar, the first time a quarter's figures need them."""

from __future__ import annotations

import datetime as dt
from typing import cast

from tortoise.transactions import in_transaction

from bot.calendar.hours import decision_hours
from bot.calendar.workdays import WorkCalendar
from models.enums import StepStatus
from models.matter import DecisionStep, Matter

CHUNK = 500  # rows read and written per transaction: memory stays bounded however many are missing


async def _fill_matters(
    organisation_id: int, calendar: WorkCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    filled, last_id = 0, 0
    while True:
        rows = cast(
            list[tuple[int, dt.datetime, dt.datetime]],
            await Matter.filter(
                organisation_id=organisation_id,
                decided_at__gte=start.astimezone(dt.UTC),  # as stored (SQLite compares text)
                decided_at__lt=end.astimezone(dt.UTC),
                decided_hours__isnull=True,
                id__gt=last_id,
            )
            .order_by("id")
            .limit(CHUNK)
            .values_list("id", "submitted_at", "decided_at"),
        )
        if not rows:
            return filled
        async with in_transaction():
            for matter_id, submitted_at, decided_at in rows:
                hours = decision_hours(calendar, submitted_at, decided_at)
                await Matter.filter(id=matter_id, decided_hours__isnull=True).update(decided_hours=hours)
        filled += len(rows)
        last_id = rows[-1][0]


async def _fill_steps(
    organisation_id: int, calendar: WorkCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    filled, last_id = 0, 0
    while True:
        rows = cast(
            list[tuple[int, dt.datetime, dt.datetime]],
            await DecisionStep.filter(
                organisation_id=organisation_id,
                status=StepStatus.DECIDED,
                decided_at__gte=start.astimezone(dt.UTC),  # as stored (SQLite compares text)
                decided_at__lt=end.astimezone(dt.UTC),
                working_hours__isnull=True,
                id__gt=last_id,
            )
            .order_by("id")
            .limit(CHUNK)
            .values_list("id", "opened_at", "decided_at"),
        )
        if not rows:
            return filled
        async with in_transaction():
            for step_id, opened_at, decided_at in rows:
                hours = decision_hours(calendar, opened_at, decided_at)
                await DecisionStep.filter(id=step_id, working_hours__isnull=True).update(working_hours=hours)
        filled += len(rows)
        last_id = rows[-1][0]


async def fill_missing_hours(
    organisation_id: int, calendar: WorkCalendar, start: dt.datetime, end: dt.datetime
) -> int:
    """Store the working hours of the matters and steps decided in ``[start, end)`` that have none
    (decided before the columns existed); how many rows were filled. Decisions made since carry
    theirs (`bot.matters.decide`), so once filled this finds nothing and writes nothing."""
    return await _fill_matters(organisation_id, calendar, start, end) + await _fill_steps(
        organisation_id, calendar, start, end
    )
