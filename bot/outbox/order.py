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
from models.rows import fetch_rows

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

log = logging.getLogger(__name__)


CardForm = tuple[dict[str, Any], list[int]]
# Asked for every card row delivered, so precompiled: the card's other pending rows, and its next.
OTHERS = (
    'SELECT "id", "kind", "payload" FROM "outbox"'
    ' WHERE "card_id" = $1 AND "status" = $2 AND "id" <> $3 ORDER BY "id"'
)
FOLLOWING = (
    'SELECT "id", "attempts" FROM "outbox"'
    ' WHERE "card_id" = $1 AND "status" = $2 AND "id" > $3 ORDER BY "id" LIMIT 1'
)


async def card_turn(row: OutboxMessage) -> CardForm | None:
    """None while an earlier row of the same card is pending (its delivery nudges this one);
    otherwise the payload this row sends and the later pending updates it covers (``merged``).

    One read of the card's other pending rows answers both, before the claim: an update committed
    after this read is not merged but waits for this row (still pending until it is recorded)
    and goes out after it, so the order holds either way."""
    if row.card_id is None:
        return row.payload, []
    rows = await fetch_rows(OutboxMessage, OTHERS, [row.card_id, OutboxStatus.PENDING.value, row.id])
    if any(int(r["id"]) < row.id for r in rows):
        return None
    payload = OutboxMessage._meta.fields_map["payload"]  # the driver's text → the stored dict
    return _final_form(
        row, [(int(r["id"]), OutboxKind(r["kind"]), payload.to_python_value(r["payload"])) for r in rows]
    )


def _final_form(row: OutboxMessage, later: list[tuple[int, OutboxKind, Any]]) -> CardForm:
    """A card not yet delivered goes out as its last pending update; an update goes as itself."""
    updates = [(i, p) for i, k, p in later if k == OutboxKind.CARD_UPDATE]
    if row.kind != OutboxKind.CARD or not updates:
        return row.payload, []
    last_id, last_payload = updates[-1]
    log.info("outbox %s: card sent in its final form (covers updates up to %s)", row.id, last_id)
    return dict(last_payload), [outbox_id for outbox_id, _ in updates]


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
    found = await fetch_rows(OutboxMessage, FOLLOWING, [row.card_id, OutboxStatus.PENDING.value, row.id])
    if not found:
        return
    following_id, attempts = int(found[0]["id"]), int(found[0]["attempts"])
    try:
        # A job id of its own: the waiting row's first job may still be finishing under its id.
        await resources.arq.enqueue_job(
            "deliver", following_id, _job_id=f"deliver:{following_id}:{attempts}:after:{row.id}"
        )
    except Exception:  # Redis down: the sweeper will pick the row up
        log.warning("could not enqueue outbox %s after %s; the sweeper will", following_id, row.id)
