"""For tests that POST a callback and then look at the database: apply the stored inbound events
with the same function the worker's sweep runs (``bot.inbound.apply.apply_pending``)."""

from __future__ import annotations

from bot.events import EventSink
from bot.inbound.apply import InboundApply
from bot.inbound.apply import apply_pending as apply_stored
from bot.messengers.registry import inbound_prepares
from bot.runtime.resources import Resources


def inbound_for(sink: EventSink) -> InboundApply:
    """What the worker gets from its composition root: ``sink`` and each platform's step."""
    return InboundApply(sink, inbound_prepares())


async def apply_pending(resources: Resources, sink: EventSink) -> int:
    """Apply every stored event that is due now; the number applied (or failed for good)."""
    return await apply_stored(resources, inbound_for(sink))
