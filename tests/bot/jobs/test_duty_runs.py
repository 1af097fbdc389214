"""A chunk's DutyRun rows written together: each piece of work is marked once, and a piece some
other pass marked first fails the whole chunk (so `Duty.once_many` rolls it back and tries again)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.jobs.duty import Work, insert_duty_runs
from bot.org import import_org
from bot.outbox.batch import OutboxBatch
from models.org import Organisation
from models.reports import DutyRun
from tests.support.stack import EXAMPLE_ORG

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
async def org(db: None) -> AsyncIterator[Organisation]:
    await import_org(EXAMPLE_ORG.read_text(encoding="utf-8"))
    organisation = await Organisation.first()
    assert organisation is not None
    yield organisation


async def nothing(batch: OutboxBatch) -> None:
    return None


def works(*subjects: str) -> list[Work]:
    return [Work("step_reminder", subject, "2026-12-01", nothing) for subject in subjects]


async def test_each_piece_of_a_chunk_is_marked_once_as_run(org: Organisation) -> None:
    async with in_transaction():
        await insert_duty_runs(org.id, works("1", "2", "3"), NOW)
    runs = await DutyRun.all().order_by("subject")
    assert [(r.kind, r.subject, r.period, r.ran_at, r.organisation_id) for r in runs] == [
        ("step_reminder", s, "2026-12-01", NOW, org.id) for s in ("1", "2", "3")
    ]


async def test_a_piece_marked_by_another_pass_fails_the_chunk_and_keeps_nothing(org: Organisation) -> None:
    async with in_transaction():
        await insert_duty_runs(org.id, works("2"), NOW)
    with pytest.raises(IntegrityError):
        async with in_transaction():
            await insert_duty_runs(org.id, works("1", "2", "3"), NOW)
    assert [r.subject for r in await DutyRun.all()] == ["2"]
