"""The quarter's figures of every section in one ``GROUP BY`` query (see `bot.reports.stats` for
what each figure counts): the database does the counting and the summing of the stored working
hours, so the cost in the worker does not grow with the number of matters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Count, Sum

from models.enums import Action, WithdrawReason
from models.matter import Matter

LEVELS = (2, 3, 4)
DECIDING = (Action.CAN_DO, Action.CONFIRM_NO)
UNSTATED = "unstated"  # withdrawn before a reason was asked for: counted as 其他


def _within(column: str, start: dt.datetime, end: dt.datetime) -> Q:
    # In UTC, as every moment is stored: SQLite compares the stored text.
    bounds: dict[str, Any] = {
        f"{column}__gte": start.astimezone(dt.UTC),
        f"{column}__lt": end.astimezone(dt.UTC),
    }
    return Q(**bounds)


def _not_by_deadline(column: str) -> Q:
    """``column`` did not happen by the reply deadline (it is empty, or came after it)."""
    empty: dict[str, Any] = {f"{column}__isnull": True}
    later: dict[str, Any] = {f"{column}__gt": F("due_at")}
    return Q(**empty) | Q(**later)


def _aggregates(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    decided = _within("decided_at", start, end) & Q(outcome__in=DECIDING)
    withdrawn = _within("withdrawn_at", start, end)
    overdue = (
        _within("due_at", start, end) & _not_by_deadline("withdrawn_at") & _not_by_deadline("replied_at")
    )
    aggregates: dict[str, Any] = {
        "submitted": Count("id", _filter=_within("submitted_at", start, end)),
        "decided": Count("id", _filter=decided),
        "decide_hours": Sum("decided_hours", _filter=decided),
        "refused": Count("id", _filter=decided & Q(outcome=Action.CONFIRM_NO)),
        "overdue": Count("id", _filter=overdue),
        f"withdrawn_{UNSTATED}": Count("id", _filter=withdrawn & Q(withdraw_reason__isnull=True)),
    }
    for level in LEVELS:
        aggregates[f"level{level}"] = Count(
            "id", _filter=decided & Q(outcome=Action.CAN_DO, decided_level=level)
        )
    for reason in WithdrawReason:
        aggregates[f"withdrawn_{reason.value}"] = Count("id", _filter=withdrawn & Q(withdraw_reason=reason))
    return aggregates


async def section_rows(organisation_id: int, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """One row per section (``department_id``) with a figure in ``[start, end)``: the counts named
    by `_aggregates` and ``decide_hours``, the sum of the decided matters' working hours."""
    aggregates = _aggregates(start, end)
    window = (
        _within("submitted_at", start, end)
        | _within("decided_at", start, end)
        | _within("withdrawn_at", start, end)
        | _within("due_at", start, end)
    )
    rows: list[dict[str, Any]] = (
        await Matter.filter(window, organisation_id=organisation_id)
        .annotate(**aggregates)
        .group_by("department_id")
        .values("department_id", *aggregates)
    )
    for row in rows:  # SQLite sums the decimals as a float, PostgreSQL as a Decimal
        hours = row["decide_hours"]
        row["decide_hours"] = 0.0 if hours is None else float(Decimal(str(hours)))
    return rows
