"""Writing and reading the simulator's conversations (``SimMessage`` rows)."""

from __future__ import annotations

import datetime as dt

from redis.asyncio import Redis
from tortoise.exceptions import IntegrityError

from models.simulator import SimMessage

SEQ_KEY = "tiji:sim:seq"

# INCR, but never below the highest seq already stored: an embedded Redis may start empty next to
# a database that kept its rows, and the page's change cursor must keep moving forward.
_NEXT_SEQ = """
local c = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if c <= floor then
  c = floor + 1
  redis.call('SET', KEYS[1], c)
end
return c
"""


def user_channel(handle: str) -> str:
    return f"user:{handle}"


def group_channel(group_id: int) -> str:
    return f"group:{group_id}"


async def next_seq(redis: Redis) -> int:
    """A change number higher than every stored one (unique across concurrent writers)."""
    row = await SimMessage.all().order_by("-seq").only("seq").first()
    floor = row.seq if row is not None else 0
    value = await redis.eval(_NEXT_SEQ, 1, SEQ_KEY, str(floor))  # type: ignore[misc]
    return int(value)


async def write(
    redis: Redis,
    *,
    organisation_id: int,
    channel: str,
    direction: str,
    kind: str,
    at: dt.datetime,
    text: str = "",
    card: dict[str, object] | None = None,
    attachment_name: str | None = None,
    attachment_type: str | None = None,
    attachment: bytes | None = None,
    dedupe_key: str | None = None,
) -> SimMessage:
    """Store one conversation item; with a ``dedupe_key`` already stored, return that item instead."""
    if dedupe_key is not None:
        existing = await SimMessage.get_or_none(dedupe_key=dedupe_key)
        if existing is not None:
            return existing
    try:
        return await SimMessage.create(
            organisation_id=organisation_id,
            channel=channel,
            direction=direction,
            kind=kind,
            text=text,
            card_ref=None if card is None else str(card["ref"]),
            card=card,
            attachment_name=attachment_name,
            attachment_type=attachment_type,
            attachment=attachment,
            dedupe_key=dedupe_key,
            seq=await next_seq(redis),
            at=at,
        )
    except IntegrityError:
        # A concurrent retry of the same delivery stored it first.
        if dedupe_key is None:
            raise
        return await SimMessage.get(dedupe_key=dedupe_key)


def keep_controls(shown: dict[str, object] | None, card: dict[str, object]) -> dict[str, object]:
    """A closed card that drops its buttons keeps showing them (the page greys them out), as a
    chat client keeps a handled card's layout; the selection stays for the same reason."""
    if shown is None or not card.get("closed") or card.get("buttons"):
        return card
    return {
        **card,
        "buttons": shown.get("buttons") or [],
        "selection": card.get("selection") or shown.get("selection"),
    }


async def rewrite_card(redis: Redis, *, organisation_id: int, card: dict[str, object]) -> int:
    """Show a card's new state wherever it was delivered; returns how many items changed."""
    rows = await SimMessage.filter(organisation_id=organisation_id, card_ref=str(card["ref"]))
    for row in rows:
        row.card = keep_controls(row.card, card)
        row.seq = await next_seq(redis)
        await row.save(update_fields=["card", "seq"])
    return len(rows)


async def items(
    organisation_id: int, channel: str, *, after: int = 0, changed_after: int | None = None, limit: int = 500
) -> list[SimMessage]:
    """A channel's items oldest first: those with id > ``after``, or (page polling) those changed
    since ``changed_after``."""
    query = SimMessage.filter(organisation_id=organisation_id, channel=channel)
    if changed_after is not None:
        # Ordered by change so a cut-off page never skips a change below the returned cursor.
        changed = await query.filter(seq__gt=changed_after).order_by("seq").limit(limit)
        return sorted(changed, key=lambda m: m.id)
    return await query.filter(id__gt=after).order_by("id").limit(limit)
