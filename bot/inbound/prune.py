"""Applied inbound events are kept two days (a platform re-delivers within seconds), then deleted
in bounded chunks by the sweep. A re-delivery after that is stored again and the router answers
it DUPLICATE from its inbox: still harmless."""

from __future__ import annotations

import datetime as dt

from models.inbound import InboundEvent, InboundState

KEEP_APPLIED = dt.timedelta(days=2)
PRUNE_CHUNK = 1000


async def prune_applied(now: dt.datetime, *, chunk: int = PRUNE_CHUNK) -> int:
    """Delete up to ``chunk`` events applied before ``now - KEEP_APPLIED``; how many went."""
    ids = await (
        InboundEvent.filter(state=InboundState.APPLIED, applied_at__lt=now - KEEP_APPLIED)
        .order_by("applied_at")
        .limit(chunk)
        .values_list("id", flat=True)
    )
    if not ids:
        return 0
    return await InboundEvent.filter(id__in=list(ids)).delete()
