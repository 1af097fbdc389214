"""What one event costs the database: a 说不 submission and a tap on its card through the router,
counted statement by statement (the web process's hot path, issue 9). The budgets are the figures
measured after the applycost work; a change that re-reads the chain or the steps per card, or
writes an outbox row or a decision's UPDATE one statement at a time again, goes over them."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from tortoise.backends.base.client import BaseDBAsyncClient

from bot.runtime.resources import Resources
from models.cards import CardInstance
from models.enums import CardKind, StepStatus
from models.matter import DecisionStep
from tests.handlers.test_commands import FORM, World, make_world

# Statements per event on PostgreSQL / SQLite (SQLite keeps the outbox's SELECT-then-INSERT and
# a decision's three UPDATEs). Before the hotpath work (session 4): submission 30 / 31, 提级 tap
# 51 / 52, 能办 tap 29 / 30; after it 15 / 19, 25 / 31, 21 / 26; after applycost (one outbox
# INSERT per event, the section with its unit, a tap's steps read once and handed to its cards,
# the decision's writes in one statement) 12 / 17, 14 / 22, 12 / 20; after apply2 (the matter
# number's bump and the matter's INSERT one statement on PostgreSQL) the figures below, exactly.
SUBMISSION_BUDGET = {"postgres": 11, "sqlite": 17}
ESCALATION_BUDGET = {"postgres": 14, "sqlite": 22}
CAN_DO_BUDGET = {"postgres": 12, "sqlite": 20}


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


@contextlib.contextmanager
def counted_statements() -> Iterator[Counter[str]]:
    """Count every statement tortoise sends while the block runs (by its first word)."""
    seen: Counter[str] = Counter()
    patched: list[tuple[type, str, Any]] = []

    def wrap(cls: type, name: str) -> None:
        original = cls.__dict__.get(name)
        if original is None:
            return

        async def counting(self: Any, query: str, *args: Any) -> Any:
            seen[query.lstrip().split(" ", 1)[0].upper()] += 1
            return await original(self, query, *args)

        patched.append((cls, name, original))
        setattr(cls, name, counting)

    def classes(cls: type) -> Iterator[type]:
        yield cls
        for sub in cls.__subclasses__():
            yield from classes(sub)

    for cls in classes(BaseDBAsyncClient):
        for name in ("execute_query", "execute_insert", "execute_query_dict", "execute_many"):
            wrap(cls, name)
    try:
        yield seen
    finally:
        for cls, name, original in reversed(patched):
            setattr(cls, name, original)


def dialect(world: World) -> str:
    return "postgres" if world.resources.settings.database_url.startswith("postgres") else "sqlite"


async def the_open_card() -> tuple[str, str]:
    step = await DecisionStep.get(status=StepStatus.PENDING).prefetch_related("approver")
    card = await CardInstance.get(kind=CardKind.DECISION, subject_id=step.id)
    return step.approver.handle, card.ref


async def test_a_submission_stays_within_its_statement_budget(world: World) -> None:
    await world.say("zhangwei", FORM)  # the counter and audit head rows exist from now on
    with counted_statements() as seen:
        reply = await world.say("zhangwei", FORM + "\n诉求：第二件")
    assert reply.ok, reply.message
    assert sum(seen.values()) <= SUBMISSION_BUDGET[dialect(world)], seen


async def test_an_escalation_tap_stays_within_its_statement_budget(world: World) -> None:
    await world.say("zhangwei", FORM)
    approver, ref = await the_open_card()
    with counted_statements() as seen:
        reply = await world.click(approver, ref, "escalate")
    assert reply.ok, reply.message
    assert "已提级" in reply.message
    assert sum(seen.values()) <= ESCALATION_BUDGET[dialect(world)], seen


async def test_a_can_do_tap_stays_within_its_statement_budget(world: World) -> None:
    await world.say("zhangwei", FORM)
    approver, ref = await the_open_card()
    with counted_statements() as seen:
        reply = await world.click(approver, ref, "can_do")
    assert reply.ok, reply.message
    assert "能办" in reply.message
    assert sum(seen.values()) <= CAN_DO_BUDGET[dialect(world)], seen
