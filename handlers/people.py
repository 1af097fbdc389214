"""Who sent an event: the platform's user id → the Person of the org file."""

from __future__ import annotations

from bot.events import Sender
from models.enums import Platform
from models.org import Organisation, Person
from models.rows import attach, columns, fetch_rows, split

_ID_FIELD = {
    Platform.SIMULATOR: "handle",
    Platform.WECOM: "wecom_userid",
    Platform.DINGTALK: "dingtalk_userid",
}


async def resolve_person(sender: Sender) -> Person | None:
    field = _ID_FIELD.get(sender.platform)
    if field is None or not sender.user_id:
        return None
    # With its organisation in the same query: every event needs both. The column is one of
    # ``_ID_FIELD``'s (ours, not the sender's); the id is a parameter.
    sql = (
        f'SELECT {columns(Person)}, {columns(Organisation, "o_")} FROM "person"'  # noqa: S608  # nosec B608: names from model metadata
        ' JOIN "organisation" ON "organisation"."id" = "person"."organisation_id"'
        f' WHERE "person"."active" = $1 AND "person"."{field}" = $2 ORDER BY "person"."id" LIMIT 1'
    )
    rows = await fetch_rows(Person, sql, [True, sender.user_id])
    if not rows:
        return None
    person = Person._init_from_db(**rows[0])
    attach(person, "organisation", split(Organisation, rows[0], "o_"))
    return person
