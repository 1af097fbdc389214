"""The ledger's list and detail queries, scoped to the organisation (and a leader's sections)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.complaints import Complaint, ComplaintChannel, ComplaintEvent, ComplaintState

PAGE_SIZE = 30
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class LedgerScope:
    """The complaints a viewer may see: the whole organisation, or the leader's units / sections."""

    organisation_id: int
    whole_organisation: bool
    unit_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class LedgerFilters:
    state: ComplaintState | None = None
    channel: ComplaintChannel | None = None
    department_id: int | None = None
    page: int = 1


def _small_int(raw: str, limit: int) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= len(str(limit)) and 0 < int(raw) <= limit else None


def parse_filters(query: Mapping[str, str]) -> LedgerFilters:
    """The list's filters from the query string; anything unknown is ignored, never an error."""
    state, channel = query.get("state", ""), query.get("channel", "")
    return LedgerFilters(
        state=ComplaintState(state) if state in ComplaintState.__members__.values() else None,
        channel=ComplaintChannel(channel) if channel in ComplaintChannel.__members__.values() else None,
        department_id=_small_int(query.get("department", ""), MAX_ID),
        page=_small_int(query.get("page", ""), MAX_PAGE) or 1,
    )


def complaints_in(scope: LedgerScope) -> QuerySet[Complaint]:
    query = Complaint.filter(organisation_id=scope.organisation_id)
    if not scope.whole_organisation:
        query = query.filter(
            Q(department_id__in=list(scope.department_ids) or [-1])
            | Q(department__unit_id__in=list(scope.unit_ids) or [-1])
        )
    return query


def filtered(scope: LedgerScope, filters: LedgerFilters) -> QuerySet[Complaint]:
    """The complaints of ``scope`` matching ``filters`` (the page number aside): the list and its
    .xlsx download show the same complaints."""
    query = complaints_in(scope)
    if filters.state is not None:
        query = query.filter(state=filters.state)
    if filters.channel is not None:
        query = query.filter(channel=filters.channel)
    if filters.department_id is not None:
        query = query.filter(department_id=filters.department_id)
    return query


async def ledger_page(scope: LedgerScope, filters: LedgerFilters) -> tuple[list[Complaint], int]:
    """One page of the ledger, newest first, and the number of complaints matching."""
    query = filtered(scope, filters)
    total = await query.count()
    rows = (
        await query.order_by("-created_at", "-id")
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .prefetch_related("department")
    )
    return rows, total


async def complaint_of(scope: LedgerScope, number: str) -> Complaint | None:
    return await complaints_in(scope).get_or_none(number=number).prefetch_related("department", "matter")


async def timeline(complaint: Complaint) -> list[ComplaintEvent]:
    return await ComplaintEvent.filter(complaint_id=complaint.id).order_by("at", "id")
