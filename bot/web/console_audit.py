"""Every change made in the console goes into the organisation's audit chain (``bot.audit``): who,
what, before → after. Call it inside the change's transaction::

    async with in_transaction():
        before = {"name": unit.name}
        unit.name = new_name
        await unit.save()
        await audit_change(viewer.actor, viewer.organisation_id, "unit.rename", before, {"name": new_name},
                           subject=f"unit:{unit.id}", at=clock.now())
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from bot.audit import append_audit

ACTION_PREFIX = "console."
MAX_FIELD = 64  # the audit row's actor / action / subject columns


def _plain(value: object) -> object:
    """A JSON value for the audit row (dates and enums as text)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """The keys whose values differ (or that only one side has), sorted."""
    keys = set(before) | set(after)
    return sorted(k for k in keys if _plain(before.get(k)) != _plain(after.get(k)))


async def audit_change(
    actor_label: str,
    organisation_id: int,
    what: str,
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    subject: str = "",
    at: dt.datetime | None = None,
) -> None:
    """Append ``console.<what>`` by ``actor_label`` to the chain: the values before and after and
    the names of the fields that changed. ``at`` is the clock's moment (the system's when None)."""
    data: dict[str, object] = {
        "before": _plain(dict(before)),
        "after": _plain(dict(after)),
        "changed": changed_fields(before, after),
    }
    await append_audit(
        organisation_id,
        at=at or dt.datetime.now(dt.UTC),
        actor=actor_label[:MAX_FIELD],
        action=(ACTION_PREFIX + what)[:MAX_FIELD],
        subject=(subject or what)[:MAX_FIELD],
        data=data,
    )
