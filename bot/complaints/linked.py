"""Matters of the same applicant: on registration the office sees the complainant's earlier
matters (same phone or same company, any state, last 12 months, same organisation)."""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q

from models.complaints import Complaint
from models.matter import Matter

LOOKBACK = dt.timedelta(days=365)
MAX_LINKED = 20


async def matters_of_applicant(
    organisation_id: int, phone: str, company: str, now: dt.datetime
) -> list[Matter]:
    """The organisation's matters submitted within 12 months whose applicant phone equals ``phone``
    or whose applicant names ``company``, newest first."""
    match = Q(applicant_phone=phone) if phone else Q(id=-1)
    if company.strip():
        match |= Q(applicant__icontains=company.strip())
    return (
        await Matter.filter(match, organisation_id=organisation_id, submitted_at__gte=now - LOOKBACK)
        .order_by("-submitted_at")
        .limit(MAX_LINKED)
    )


async def linked_for(complaint: Complaint, now: dt.datetime) -> list[Matter]:
    return await matters_of_applicant(complaint.organisation_id, complaint.phone, complaint.company, now)
