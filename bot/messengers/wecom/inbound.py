"""The worker's WeCom step before the router, for a stored inbound event (``bot.inbound``): a
click's task id mapped back to its card and its ResponseCode kept with the card. Apart from the
callback module, so the worker loads no callback or crypto code."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.events import CardAction, Event
from bot.runtime.resources import Resources
from models.cards import CardInstance, merge_platform_state


async def prepare(resources: Resources, event: Event, extras: Mapping[str, str]) -> Event:
    """The worker's WeCom step before the router (``bot.inbound.apply.Prepare``)."""
    if isinstance(event, CardAction):
        return await _with_card(resources, event, extras)
    return event


async def _with_card(resources: Resources, action: CardAction, extras: Mapping[str, str]) -> CardAction:
    """Map the task id back to the card, and keep the click's ResponseCode with it (the update
    that follows the decision needs it). The usual click costs one statement."""
    code = extras.get("response_code", "")
    state = {
        "response_code": code,
        "response_code_at": extras.get("response_code_at") or resources.clock.now().isoformat(),
        "response_task_id": extras.get("task_id", ""),
    }
    # The click's code is merged into the card's stored state (``merge_platform_state``: a
    # concurrent delivery of the card's update is merged with, not overwritten).
    if code:
        if await merge_platform_state("ref", action.card_ref, state):
            return action
    elif await CardInstance.filter(ref=action.card_ref).exists():
        return action
    mapped = await resources.redis.get(f"wecom:taskref:{action.card_ref}")
    if not mapped:
        return action  # no such card: the router answers that
    if code:
        await merge_platform_state("ref", mapped, state)
    return dataclasses.replace(action, card_ref=mapped)
