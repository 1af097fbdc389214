"""A change that loses a race is re-read and retried (bounded, jittered, logged with its cause);
anything else is not retried."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.errors import ConcurrentChange
from bot.matters import decide
from bot.runtime.resources import Resources
from models.enums import MatterState
from models.matter import Matter
from tests.handlers.test_commands import World, make_world

SaveDecision = Callable[..., Awaitable[None]]


class DeadlockDetected(Exception):
    """What the PostgreSQL driver raises when the database broke a deadlock by rolling us back."""

    sqlstate = "40P01"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


def losing(times: int, error: Callable[[], Exception], real: SaveDecision) -> SaveDecision:
    """``save_decision`` that loses its race ``times`` times, then saves."""
    left = [times]

    async def save(*args: object, **kwargs: object) -> None:
        if left[0]:
            left[0] -= 1
            raise error()
        await real(*args, **kwargs)

    return save


@pytest.mark.parametrize(
    "error", [lambda: ConcurrentChange("TJ"), DeadlockDetected], ids=["version changed", "deadlock"]
)
async def test_a_tap_that_loses_its_race_is_retried_and_decides(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    error: Callable[[], Exception],
) -> None:
    matter = await world.submit()
    monkeypatch.setattr(decide, "save_decision", losing(3, error, decide.save_decision))
    with caplog.at_level(logging.INFO, logger="handlers.dispatch"):
        reply = await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    assert reply.ok and "已确认能办" in reply.message
    assert (await Matter.get(id=matter.id)).state == MatterState.RESOLVED
    retries = [r.getMessage() for r in caplog.records if "lost a race" in r.getMessage()]
    assert len(retries) == 3
    assert all(type(error()).__name__ in line for line in retries)


async def test_a_race_lost_every_time_ends_with_a_reply_and_no_change(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    matter = await world.submit()
    monkeypatch.setattr(
        decide, "save_decision", losing(1000, lambda: ConcurrentChange("TJ"), decide.save_decision)
    )
    reply = await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    assert not reply.ok and "请稍后再试" in reply.message
    assert (await Matter.get(id=matter.id)).state == MatterState.PENDING


async def test_a_failure_that_is_no_race_is_not_retried(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world.submit()
    calls: list[Matter] = []

    async def broken(matter: Matter, *args: object, **kwargs: object) -> None:
        calls.append(matter)
        raise RuntimeError("disk full")

    monkeypatch.setattr(decide, "save_decision", broken)
    with pytest.raises(RuntimeError):
        await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    assert len(calls) == 1
