"""On PostgreSQL a transaction always gives its connection back: a failed BEGIN leaks nothing, and a
connection that cannot be returned after a commit leaves the commit standing (no error, no 500)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from bot.clock import SimClock
from bot.runtime import pooled_transactions
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import StepStatus
from models.matter import DecisionStep
from models.org import Organisation, Person
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"


@pytest.fixture
def pool(settings: Settings, db: None) -> Any:
    if not settings.effective_database_url.startswith("postgres"):
        pytest.skip("pooled transactions are PostgreSQL's")
    pooled_transactions.install()
    return Tortoise.get_connection("default")._pool  # type: ignore[attr-defined]


def failing_release(pool: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every release fails as asyncpg does for a connection the server closed meanwhile."""
    failures: list[int] = []
    release = type(pool).release

    async def broken(self: Any, connection: Any, **options: Any) -> None:
        failures.append(1)
        await release(self, connection)
        raise asyncpg.exceptions.ConnectionDoesNotExistError(
            "connection was closed in the middle of operation"
        )

    monkeypatch.setattr(type(pool), "release", broken)
    return failures


async def test_a_commit_stands_when_its_connection_cannot_be_returned(
    pool: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = failing_release(pool, monkeypatch)
    async with in_transaction():
        await Organisation.create(code="t", name="测试局")
    assert failures and await Organisation.filter(code="t").exists()


async def test_a_failed_begin_gives_its_connection_back(pool: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    wrapper = type(Tortoise.get_connection("default")._in_transaction().client)  # type: ignore[attr-defined]
    begin = wrapper.begin

    async def dead(self: Any) -> None:
        calls.append(1)
        if len(calls) <= 12:  # more failures than the pool has connections
            raise asyncpg.exceptions.ConnectionDoesNotExistError("terminating connection")
        await begin(self)

    monkeypatch.setattr(wrapper, "begin", dead)
    for _ in range(12):
        with pytest.raises(asyncpg.exceptions.ConnectionDoesNotExistError):
            async with in_transaction():
                pass
    # Nothing held: no pool connection in use, and this task's queries are not stuck on a dead one.
    assert sum(1 for holder in pool._holders if holder._in_use is not None) == 0
    assert not isinstance(Tortoise.get_connection("default"), wrapper)
    async with asyncio.timeout(10):  # leaked connections would make this wait forever
        async with in_transaction():
            await Organisation.create(code="t", name="测试局")
        assert await Organisation.filter(code="t").count() == 1


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, pool: Any) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def test_a_committed_decision_answers_ok_when_releasing_its_connection_fails(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = await stack.client.post("/sim/api/messages", json={"from": "zhangwei", "text": FORM})
    assert response.status == 202
    head = await Person.get(handle="chenguoqing")
    card = await CardInstance.get(recipient_id=head.id)
    failures = failing_release(pool=Tortoise.get_connection("default")._pool, monkeypatch=monkeypatch)  # type: ignore[attr-defined]
    answer = await stack.client.post(
        f"/sim/api/cards/{card.ref}/click", json={"by": "chenguoqing", "key": "can_do", "selected": {}}
    )
    assert answer.status == 200 and (await answer.json())["ok"]
    assert failures
    step = await DecisionStep.get(id=card.subject_id)
    assert step.status is StepStatus.DECIDED
