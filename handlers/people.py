"""Who sent an event: the platform's user id → the Person of the org file."""

from __future__ import annotations

from bot.events import Sender
from models.enums import Platform
from models.org import Person

_ID_FIELD = {
    Platform.SIMULATOR: "handle",
    Platform.WECOM: "wecom_userid",
    Platform.DINGTALK: "dingtalk_userid",
}


async def resolve_person(sender: Sender) -> Person | None:
    field = _ID_FIELD.get(sender.platform)
    if field is None or not sender.user_id:
        return None
    # With its organisation in the same query: every event needs both.
    query = Person.filter(active=True, **{field: sender.user_id}).select_related("organisation")
    return await query.order_by("id").first()
