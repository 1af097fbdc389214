"""The quarter's figures of every section in one ``GROUP BY`` query (see `bot.reports.stats` for
what each figure counts): the database does the counting and the summing of the stored working
hours, so the cost in the worker does not grow with the number of matters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tortoise.expressions import F, Q
from tortoise.functions import Count, Sum

from models.enums import Action, WithdrawReason
from models.matter import Matter

LEVELS = (2, 3, 4)
DECIDING = (Action.CAN_DO, Action.CONFIRM_NO)
UNSTATED = "unstated"  # withdrawn before a reason was asked for: counted as 其他


@dataclass(frozen=True)
class Window:
    """A quarter's figures: the matters accepted in ``[start, end)``, as they stood at ``cutoff``
    (the quarter's end, or now for the running quarter)."""

    start: dt.datetime
    end: dt.datetime
    cutoff: dt.datetime


def utc(moment: dt.datetime) -> dt.datetime:
    # In UTC, as every moment is stored: SQLite compares the stored text.
    return moment.astimezone(dt.UTC)


def _within(column: str, start: dt.datetime, end: dt.datetime) -> Q:
    bounds: dict[str, Any] = {f"{column}__gte": utc(start), f"{column}__lt": utc(end)}
    return Q(**bounds)


def _by(column: str, cutoff: dt.datetime) -> Q:
    """``column`` happened before ``cutoff`` (an empty column did not)."""
    before: dict[str, Any] = {f"{column}__lt": utc(cutoff)}
    return Q(**before)


def _not_by(column: str, cutoff: dt.datetime) -> Q:
    """``column`` had not happened by ``cutoff`` (written out: SQL's NOT of NULL is NULL)."""
    empty: dict[str, Any] = {f"{column}__isnull": True}
    later: dict[str, Any] = {f"{column}__gte": utc(cutoff)}
    return Q(**empty) | Q(**later)


def _not_by_deadline(column: str) -> Q:
    """``column`` did not happen by the reply deadline (it is empty, or came after it)."""
    empty: dict[str, Any] = {f"{column}__isnull": True}
    later: dict[str, Any] = {f"{column}__gt": F("due_at")}
    return Q(**empty) | Q(**later)


def decided_by(cutoff: dt.datetime) -> Q:
    return _by("decided_at", cutoff) & Q(outcome__in=DECIDING)


def pending_at(cutoff: dt.datetime) -> Q:
    """Neither decided nor withdrawn by ``cutoff`` (在办): counted on its own, so that the test of
    受理 = 能办 + 不能办 + 撤回 + 在办 checks the query rather than a subtraction."""
    undecided = _not_by("decided_at", cutoff) | Q(outcome__isnull=True)
    return undecided & _not_by("withdrawn_at", cutoff)


def _aggregates(window: Window) -> dict[str, Any]:
    cohort = _within("submitted_at", window.start, window.end)
    decided = cohort & decided_by(window.cutoff)
    withdrawn = cohort & _by("withdrawn_at", window.cutoff)
    overdue = (
        _within("due_at", window.start, window.cutoff)
        & _not_by_deadline("withdrawn_at")
        & _not_by_deadline("replied_at")
    )
    aggregates: dict[str, Any] = {
        "submitted": Count("id", _filter=cohort),
        "decided": Count("id", _filter=decided),
        "decide_hours": Sum("decided_hours", _filter=decided),
        "refused": Count("id", _filter=decided & Q(outcome=Action.CONFIRM_NO)),
        "pending": Count("id", _filter=cohort & pending_at(window.cutoff)),
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


def scope(organisation_id: int, unit_id: int | None = None) -> dict[str, int]:
    found = {"organisation_id": organisation_id}
    if unit_id is not None:
        found["unit_id"] = unit_id
    return found


async def section_rows(organisation_id: int, window: Window) -> list[dict[str, Any]]:
    """One row per section (``department_id``) with a figure in ``window``: the counts named by
    `_aggregates` and ``decide_hours``, the sum of the decided matters' working hours."""
    aggregates = _aggregates(window)
    rows: list[dict[str, Any]] = (
        await Matter.filter(
            _within("submitted_at", window.start, window.end)
            | _within("due_at", window.start, window.cutoff),
            organisation_id=organisation_id,
        )
        .annotate(**aggregates)
        .group_by("department_id")
        .values("department_id", *aggregates)
    )
    for row in rows:  # SQLite sums the decimals as a float, PostgreSQL as a Decimal
        hours = row["decide_hours"]
        row["decide_hours"] = 0.0 if hours is None else float(Decimal(str(hours)))
    return rows


def pending_matters(organisation_id: int, window: Window, unit_id: int | None = None) -> Any:
    """The matters of ``window`` still 在办 at its cutoff, oldest first (a query: callers limit it)."""
    return Matter.filter(
        _within("submitted_at", window.start, window.end),
        pending_at(window.cutoff),
        **scope(organisation_id, unit_id),
    ).order_by("submitted_at", "id")
