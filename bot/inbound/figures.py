"""The inbound backlog for ``/metrics`` and ``tiji doctor``: cheap, the partial index only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.inbound import InboundEvent, InboundState


@dataclass(frozen=True, slots=True)
class InboundFigures:
    pending: int
    failed: int
    oldest_pending: dt.datetime | None  # when the oldest pending event was received


async def inbound_figures() -> InboundFigures:
    pending = InboundEvent.filter(state=InboundState.PENDING)
    oldest = await pending.order_by("id").first()
    return InboundFigures(
        pending=await pending.count(),
        failed=await InboundEvent.filter(state=InboundState.FAILED).count(),
        oldest_pending=oldest.received_at if oldest is not None else None,
    )
