"""Writing outbox rows: a message decided twice (same dedupe key) is stored once, whether the first
row is in this transaction or an earlier one, and only the stored row is nudged. On PostgreSQL
that is one INSERT … ON CONFLICT DO NOTHING per message."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
from tortoise.transactions import in_transaction

from bot.org import import_org
from bot.outbox import batch as outbox_batch
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.org import Organisation, Person
from tests.handlers.test_event_cost import counted_statements
from tests.support.stack import EXAMPLE_ORG

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def org(db: None) -> AsyncIterator[Organisation]:
    await import_org(EXAMPLE_ORG.read_text(encoding="utf-8"))
    organisation = await Organisation.first()
    assert organisation is not None
    yield organisation


def test_the_insert_names_the_columns_it_is_given_values_for() -> None:
    listed = re.search(r"\((.*?)\) VALUES", outbox_batch.INSERT_NEW)
    assert listed is not None
    assert [c.strip().strip('"') for c in listed.group(1).split(",")] == list(outbox_batch._COLUMNS)


async def test_a_message_decided_twice_is_stored_once(org: Organisation, settings: Settings) -> None:
    person = await Person.filter(active=True).first()
    assert person is not None
    first = OutboxBatch(settings, org, NOW)
    async with in_transaction():
        await first.text(person, "第一次", dedupe_key="reply:twice")
        await first.text(person, "同一事务里又一次", dedupe_key="reply:twice")
    later = OutboxBatch(settings, org, NOW)
    async with in_transaction():
        await later.text(person, "另一个事务", dedupe_key="reply:twice")
    rows = await OutboxMessage.filter(dedupe_key="reply:twice")
    assert [r.payload["text"] for r in rows] == ["第一次"]
    row = rows[0]
    assert (row.kind, row.status, row.person_id, row.organisation_id) == (
        OutboxKind.TEXT,
        OutboxStatus.PENDING,
        person.id,
        org.id,
    )
    assert first.ids == [row.id]
    assert later.ids == []


async def test_on_postgres_a_message_costs_one_statement(org: Organisation, settings: Settings) -> None:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("SQLite keeps the SELECT-then-INSERT")
    person = await Person.filter(active=True).first()
    assert person is not None
    batch = OutboxBatch(settings, org, NOW)
    with counted_statements() as seen:
        await batch.text(person, "你好", dedupe_key="reply:one")
    assert dict(seen) == {"INSERT": 1}


async def test_on_postgres_a_pass_writes_its_messages_in_one_statement(
    org: Organisation, settings: Settings
) -> None:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("SQLite keeps the existence query and bulk_create")
    person = await Person.filter(active=True).first()
    assert person is not None
    earlier = OutboxBatch(settings, org, NOW)
    async with in_transaction():
        await earlier.text(person, "已经有了", dedupe_key="remind:0")
    batch = OutboxBatch(settings, org, NOW, deferred=True)
    async with in_transaction():
        for i in range(300):
            await batch.text(person, f"第 {i} 条，催办", dedupe_key=f"remind:{i}")
        with counted_statements() as seen:
            await batch.flush()
    assert dict(seen) == {"INSERT": 1}
    rows = await OutboxMessage.filter(dedupe_key__startswith="remind:").order_by("id")
    assert [r.dedupe_key for r in rows] == [f"remind:{i}" for i in range(300)]
    assert rows[0].payload["text"] == "已经有了" and rows[7].payload == {
        "text": "第 7 条，催办",
        "markdown": False,
    }
    assert batch.ids == [r.id for r in rows[1:]]
    assert {(r.kind, r.status, r.person_id, r.attempts, r.next_attempt_at) for r in rows[1:]} == {
        (OutboxKind.TEXT, OutboxStatus.PENDING, person.id, 0, NOW)
    }
