"""The worker's WeCom step before the router, for a stored inbound event (``bot.inbound``): a
click's task id mapped back to its card and its ResponseCode kept with the card. Apart from the
callback module, so the worker loads no callback or crypto code."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from bot.events import CardAction, Event
from bot.runtime.resources import Resources
from models.cards import CardInstance


async def prepare(resources: Resources, event: Event, extras: Mapping[str, str]) -> Event:
    """The worker's WeCom step before the router (``bot.inbound.apply.Prepare``)."""
    if isinstance(event, CardAction):
        return await _with_card(resources, event, extras)
    return event


# The click's code is merged into the card's stored state by the database in one statement: no
# read-modify-write, so no transaction or row lock of our own (a concurrent writer of the state,
# e.g. the delivery of the card's update, is merged with, not overwritten).
MERGE_STATE = {
    "postgres": 'UPDATE "card_instance" SET "platform_state" = COALESCE("platform_state", \'{}\'::jsonb) || $1::jsonb'
    ' WHERE "ref" = $2 RETURNING "id"',
    "sqlite": 'UPDATE "card_instance" SET "platform_state" = json_patch(COALESCE("platform_state", \'{}\'), ?)'
    ' WHERE "ref" = ? RETURNING "id"',
}


async def _with_card(resources: Resources, action: CardAction, extras: Mapping[str, str]) -> CardAction:
    """Map the task id back to the card, and keep the click's ResponseCode with it (the update
    that follows the decision needs it). The usual click costs one statement."""
    code = extras.get("response_code", "")
    state = {
        "response_code": code,
        "response_code_at": extras.get("response_code_at") or resources.clock.now().isoformat(),
        "response_task_id": extras.get("task_id", ""),
    }
    if code:
        if await _merge_state(action.card_ref, state):
            return action
    elif await CardInstance.filter(ref=action.card_ref).exists():
        return action
    mapped = await resources.redis.get(f"wecom:taskref:{action.card_ref}")
    if not mapped:
        return action  # no such card: the router answers that
    if code:
        await _merge_state(mapped, state)
    return dataclasses.replace(action, card_ref=mapped)


async def _merge_state(ref: str, state: dict[str, str]) -> bool:
    """False when no card has ``ref``."""
    db = CardInstance._meta.db
    sql = MERGE_STATE["postgres" if db.capabilities.dialect == "postgres" else "sqlite"]
    return bool(await db.execute_query_dict(sql, [json.dumps(state, ensure_ascii=False), ref]))
