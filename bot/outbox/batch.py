"""Writing messages to the outbox inside a transaction, and nudging delivery after commit.

A message is decided when its outbox row commits; the arq delivery job (and the sweeper, should
Redis lose the job) takes it from there. Rows are unique by ``dedupe_key``, so deciding the same
message twice stores it once.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.cards import Card
from bot.outbox.queue import enqueue_deliveries
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import CardKind, Platform
from models.messaging import OutboxKind, OutboxMessage
from models.org import GroupChannel, Organisation, Person

if TYPE_CHECKING:
    from bot.outbound import Attachment
    from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

NUDGE_SECONDS = 2.0  # a nudge waits at most this for Redis (a callback must answer in time)
FLUSH_CHUNK = 1000  # deferred rows per existence query and INSERT (well under 32,767 parameters)


def platform_for_person(person: Person, organisation: Organisation, settings: Settings) -> Platform:
    """The platform that reaches ``person``: the simulator in simulator mode, else the org file's."""
    if settings.simulator:
        return Platform.SIMULATOR
    return person.platform or organisation.default_platform


def new_card_ref() -> str:
    """Unguessable, within WeCom's task_id charset ``[0-9A-Za-z_-]`` and DingTalk's outTrackId."""
    return "tj" + secrets.token_urlsafe(18)


def platform_for_group(group: GroupChannel, organisation: Organisation, settings: Settings) -> Platform:
    if settings.simulator:
        return Platform.SIMULATOR
    return group.platform or organisation.default_platform


def attachment_payload(attachment: Attachment) -> dict[str, str]:
    """A file as an outbox row keeps it (read back by `bot.outbox.delivery`)."""
    return {
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "content_b64": base64.b64encode(attachment.content).decode("ascii"),
    }


_COLUMNS = (
    "organisation_id", "dedupe_key", "kind", "platform", "person_id", "group_id", "card_id",
    "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at",
)  # fmt: skip
# The columns in _COLUMNS' order (test_outbox_insert_lists_the_columns checks they agree).
INSERT_NEW = (
    'INSERT INTO "outbox" ("organisation_id", "dedupe_key", "kind", "platform", "person_id", "group_id",'
    ' "card_id", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at")'
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ' ON CONFLICT ("dedupe_key") DO NOTHING RETURNING "id"'
)


# A deferred chunk in one statement: a column per array, rows in the order collected (WITH
# ORDINALITY … ORDER BY), an existing dedupe key skipped as ``INSERT_NEW`` does.
_UNNESTED = (
    "organisation_id",
    "dedupe_key",
    "kind",
    "platform",
    "person_id",
    "group_id",
    "card_id",
    "payload",
)
INSERT_MANY = (
    'INSERT INTO "outbox" ("organisation_id", "dedupe_key", "kind", "platform", "person_id", "group_id",'
    ' "card_id", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at")'
    " SELECT o, k, kd, pf, pe, g, c, pl::jsonb, 'pending', 0, $9, '', $9"
    " FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::text[])"
    " WITH ORDINALITY AS t(o, k, kd, pf, pe, g, c, pl, n) ORDER BY n"
    ' ON CONFLICT ("dedupe_key") DO NOTHING RETURNING "id"'
)


def _insert_values(row: OutboxMessage) -> list[object]:
    """The row's values for ``INSERT_NEW``, converted by the model's own fields."""
    fields_map = OutboxMessage._meta.fields_map
    return [fields_map[c].to_db_value(getattr(row, c), row) for c in _COLUMNS]


@dataclass
class OutboxBatch:
    """Collects the rows one transaction wrote so they can be enqueued right after commit."""

    settings: Settings
    organisation: Organisation
    now: dt.datetime
    ids: list[int] = field(default_factory=list)
    # Deferred: rows are collected and written by ``flush`` with one existence query and one
    # multi-row INSERT (a pass writing thousands of reminders; one row at a time costs two
    # statements each). The caller flushes inside its transaction.
    deferred: bool = False
    _pending: dict[str, dict[str, Any]] = field(default_factory=dict)

    async def _add(self, dedupe_key: str, **values: Any) -> int | None:
        """Store the row unless one has ``dedupe_key``; its id, or None when it was there already
        (or, deferred, when it is only collected for ``flush``)."""
        if self.deferred:
            if dedupe_key not in self._pending:
                for relation in ("person", "group", "card"):  # ids only: no model object per row
                    if relation in values:
                        related = values.pop(relation)
                        values[f"{relation}_id"] = related.id if related is not None else None
                self._pending[dedupe_key] = values
            return None
        row = OutboxMessage(
            organisation=self.organisation,
            dedupe_key=dedupe_key,
            next_attempt_at=self.now,
            created_at=self.now,
            **values,
        )
        db = OutboxMessage._meta.db
        if db.capabilities.dialect == "postgres":
            # One round trip instead of SELECT-then-INSERT (a callback writes two to five rows).
            found = await db.execute_query_dict(INSERT_NEW, _insert_values(row))
            if not found:
                return None
            row_id = int(found[0]["id"])
        else:
            if await OutboxMessage.filter(dedupe_key=dedupe_key).exists():
                return None
            await row.save()
            row_id = row.id
        self.ids.append(row_id)
        return row_id

    async def flush(self) -> None:
        """Write the deferred rows not stored yet (by ``dedupe_key``), in id order as collected:
        on PostgreSQL one ``INSERT … SELECT FROM unnest(…)`` per chunk (nine array parameters, no
        model object per row), elsewhere an existence query and tortoise's ``bulk_create``."""
        rows, self._pending = self._pending, {}
        items = list(rows.items())
        postgres = OutboxMessage._meta.db.capabilities.dialect == "postgres"
        for start in range(0, len(items), FLUSH_CHUNK):
            chunk = items[start : start + FLUSH_CHUNK]
            await (self._insert_unnest(chunk) if postgres else self._insert_models(chunk))

    async def _insert_unnest(self, chunk: list[tuple[str, dict[str, Any]]]) -> None:
        fields_map = OutboxMessage._meta.fields_map
        columns: list[list[object]] = [[self.organisation.id] * len(chunk), [key for key, _ in chunk]]
        for name in _UNNESTED[2:]:
            field_ = fields_map[name]
            columns.append([field_.to_db_value(values.get(name), OutboxMessage) for _, values in chunk])
        found = await OutboxMessage._meta.db.execute_query_dict(INSERT_MANY, [*columns, self.now])
        self.ids.extend(sorted(int(r["id"]) for r in found))

    async def _insert_models(self, chunk: list[tuple[str, dict[str, Any]]]) -> None:
        known = OutboxMessage.filter(dedupe_key__in=[key for key, _ in chunk]).values_list(
            "dedupe_key", flat=True
        )
        stored = {str(k) for k in await known}
        new = [
            OutboxMessage(organisation_id=self.organisation.id, dedupe_key=key, next_attempt_at=self.now,
                          created_at=self.now, **values)
            for key, values in chunk
            if key not in stored
        ]  # fmt: skip
        if not new:
            return
        await OutboxMessage.bulk_create(new)
        written = OutboxMessage.filter(dedupe_key__in=[r.dedupe_key for r in new]).order_by("id")
        self.ids.extend(int(str(i)) for i in await written.values_list("id", flat=True))

    async def text(
        self,
        person: Person,
        text: str,
        *,
        dedupe_key: str,
        markdown: bool = False,
        attachment: Attachment | None = None,
    ) -> None:
        """A text to ``person``; with ``attachment``, the file follows it (one row, sent once)."""
        payload: dict[str, object] = {"text": text, "markdown": markdown}
        if attachment is not None:
            payload["attachment"] = attachment_payload(attachment)
        await self._add(
            dedupe_key,
            kind=OutboxKind.TEXT,
            platform=platform_for_person(person, self.organisation, self.settings),
            person=person,
            payload=payload,
        )

    async def text_to_address(self, platform: Platform, user_id: str, text: str, *, dedupe_key: str) -> None:
        """A text to a platform account that is not (yet) a Person, e.g. an unregistered sender."""
        await self._add(
            dedupe_key,
            kind=OutboxKind.TEXT,
            platform=platform,
            person=None,
            payload={"text": text, "markdown": False, "user_id": user_id},
        )

    async def new_card(self, kind: CardKind, subject_id: int, recipient: Person) -> CardInstance:
        """A card of ``kind`` about ``subject_id`` for ``recipient``, with a new ref (send it with
        ``card``; later states go out with ``card_update``)."""
        return await CardInstance.create(
            organisation_id=self.organisation.id,
            ref=new_card_ref(),
            kind=kind,
            subject_id=subject_id,
            recipient=recipient,
            platform=platform_for_person(recipient, self.organisation, self.settings),
            platform_state={},
            created_at=self.now,
        )

    async def card(self, instance: CardInstance, card: Card, *, dedupe_key: str) -> None:
        await self._add(
            dedupe_key,
            kind=OutboxKind.CARD,
            platform=instance.platform,
            person_id=instance.recipient_id,
            card=instance,
            payload={"card": card.as_dict()},
        )

    async def card_update(self, instance: CardInstance, card: Card, *, dedupe_key: str) -> None:
        await self._add(
            dedupe_key,
            kind=OutboxKind.CARD_UPDATE,
            platform=instance.platform,
            person_id=instance.recipient_id,
            card=instance,
            payload={"card": card.as_dict()},
        )

    async def group(
        self,
        group: GroupChannel,
        markdown: str,
        *,
        dedupe_key: str,
        attachment: Attachment | None = None,
    ) -> None:
        payload: dict[str, object] = {"markdown": markdown}
        if attachment is not None:
            payload["attachment"] = attachment_payload(attachment)
        await self._add(
            dedupe_key,
            kind=OutboxKind.GROUP,
            platform=platform_for_group(group, self.organisation, self.settings),
            group=group,
            payload=payload,
        )

    async def nudge(self, resources: Resources) -> None:
        """Enqueue delivery of the rows written (after commit). Never raises and never holds the
        caller long: the rows are committed, so a lost nudge (Redis down or slow) is logged and
        left to the sweeper, which re-enqueues every pending row within ``SWEEP_SECONDS``."""
        if not self.ids:
            return
        if resources.deliver_here is not None and resources.deliver_here(self.ids):
            return  # a worker's own rows: sent by this process at once (bot.outbox.local)
        if resources.arq is None:
            return
        try:
            await asyncio.wait_for(enqueue_deliveries(resources.arq, self.ids, key="nudge"), NUDGE_SECONDS)
        except Exception as error:  # committed anyway: the sweeper will pick the rows up
            log.warning("could not enqueue delivery of outbox %s (%r); the sweeper will", self.ids, error)
