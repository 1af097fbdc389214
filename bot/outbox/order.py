"""Card order: per card (one recipient's card about one subject), outbox rows apply in id order.

A card's first row (``card``) and its ``card_update`` rows are written by different transactions,
each after the previous committed (an update names the card instance the first one created), so
their ids are in decision order. Delivery follows three rules:

* a row waits while an earlier row of its card is still pending (an update never overtakes its
  card, and two updates never swap);
* a card not yet delivered goes out in its final form: the payload of the last pending update
  replaces the open one, and the updates it covers are marked ``merged`` (sent with the card), so
  the recipient sees one closed card and never an open one afterwards;
* once a row is done, the next pending row of the same card is nudged at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from models.messaging import OutboxKind, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

log = logging.getLogger(__name__)


async def waits_for_earlier(row: OutboxMessage) -> bool:
    """True while an earlier row of the same card is pending (its delivery nudges this one)."""
    if row.card_id is None:
        return False
    return await OutboxMessage.filter(
        card_id=row.card_id, id__lt=row.id, status=OutboxStatus.PENDING
    ).exists()


async def final_form(row: OutboxMessage) -> tuple[dict[str, Any], list[int]]:
    """The payload a first ``card`` row should send, and the later pending updates it covers."""
    payload: dict[str, Any] = row.payload
    if row.kind != OutboxKind.CARD or row.card_id is None:
        return payload, []
    later = (
        await OutboxMessage.filter(
            card_id=row.card_id, id__gt=row.id, status=OutboxStatus.PENDING, kind=OutboxKind.CARD_UPDATE
        )
        .order_by("id")
        .values_list("id", "payload")
    )
    if not later:
        return payload, []
    last_id, last_payload = later[-1]
    log.info("outbox %s: card sent in its final form (covers updates up to %s)", row.id, last_id)
    return dict(last_payload), [int(outbox_id) for outbox_id, _ in later]


async def mark_merged(ids: list[int]) -> None:
    """The updates a card's first delivery already showed (inside the caller's transaction)."""
    if ids:
        await OutboxMessage.filter(id__in=ids, status=OutboxStatus.PENDING).update(
            status=OutboxStatus.MERGED, last_error=""
        )


async def nudge_next(resources: Resources, row: OutboxMessage) -> None:
    """Enqueue the next pending row of ``row``'s card, which waited for it."""
    if row.card_id is None or resources.arq is None:
        return
    following = (
        await OutboxMessage.filter(card_id=row.card_id, id__gt=row.id, status=OutboxStatus.PENDING)
        .order_by("id")
        .first()
    )
    if following is None:
        return
    try:
        # A job id of its own: the waiting row's first job may still be finishing under its id.
        await resources.arq.enqueue_job(
            "deliver", following.id, _job_id=f"deliver:{following.id}:{following.attempts}:after:{row.id}"
        )
    except Exception:  # Redis down: the sweeper will pick the row up
        log.warning("could not enqueue outbox %s after %s; the sweeper will", following.id, row.id)
