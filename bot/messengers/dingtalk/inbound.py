"""Handing a parsed DingTalk event to the router once, and answering card taps within 2 s.

The router stores every event's dedupe key in its inbox in the same transaction as the change, so
correctness never depends on this module; the Redis mark (``bot.runtime.seen``) only lets
duplicates (DingTalk re-pushes, several connections) skip the database. The mark is removed when
handling fails, so a re-push can still apply the event.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.events import Event, Reply, TextMessage
from bot.runtime.resources import Resources
from bot.runtime.seen import forget_seen, seen_once

log = logging.getLogger(__name__)

Handle = Callable[[Event], Awaitable[Reply]]
CARD_ANSWER_WITHIN = 1.5  # DingTalk waits 2 s for a card callback's answer


async def dispatch_once(resources: Resources, handle: Handle, event: Event) -> Reply | None:
    """Apply ``event`` through ``handle`` unless it was applied already (None for a duplicate)."""
    if isinstance(event, TextMessage) and event.conversation:
        # The way admins learn a group's openConversationId for the org file: @ the bot there once.
        log.info("DingTalk group message in openConversationId %s", event.conversation)
    if not await seen_once(resources.redis, event.dedupe_key):
        log.info("duplicate dingtalk event %s skipped", event.dedupe_key)
        return None
    try:
        return await handle(event)
    except BaseException:
        await forget_seen(resources.redis, event.dedupe_key)
        raise


async def answer_within(task: asyncio.Task[Reply | None], seconds: float = CARD_ANSWER_WITHIN) -> None:
    """Wait for ``task`` at most ``seconds``; it keeps running afterwards (the caller holds it)."""
    await asyncio.wait({task}, timeout=seconds)
