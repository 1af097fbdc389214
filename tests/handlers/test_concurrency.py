"""Many people at once: 32 submissions and 32 taps in flight together through the router. Nobody is
told “系统繁忙”; numbers have no gaps; the audit chain verifies; taps on the same matter get the
right answer (one decides, the rest hear who did)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from bot.audit import verify_chain
from bot.events import CardAction, Reply, Sender
from bot.matters.numbers import format_number
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.cards import CardInstance
from models.enums import CardKind, MatterState, Platform, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Person
from tests.handlers.test_commands import FORM, World, make_world

IN_FLIGHT = 32
BUSY = "系统繁忙"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def staff() -> list[str]:
    """Everyone who belongs to a section (so may submit), the example org's 股室 staff and heads."""
    people = await Person.filter(department_id__isnull=False).order_by("id")
    return [p.handle for p in people if "staff" in (p.roles or [])]


async def submit_all(world: World, count: int = IN_FLIGHT) -> list[Reply]:
    handles = await staff()
    return await asyncio.gather(
        *(world.say(handles[n % len(handles)], FORM + f"\n诉求：第{n}件") for n in range(count))
    )


async def open_cards() -> list[tuple[str, str]]:
    """(approver handle, card ref) of each open step's card."""
    taps = []
    for step in (
        await DecisionStep.filter(status=StepStatus.PENDING).order_by("id").prefetch_related("approver")
    ):
        card = await CardInstance.get(kind=CardKind.DECISION, subject_id=step.id)
        taps.append((step.approver.handle, card.ref))
    return taps


async def assert_numbers_have_no_gaps(count: int) -> None:
    numbers = await Matter.all().order_by("seq").values_list("organisation_id", "year", "seq", "number")
    assert len({(org, year) for org, year, _, _ in numbers}) == 1
    year = numbers[0][1]
    assert [n[3] for n in numbers] == [format_number(year, seq) for seq in range(1, count + 1)]


async def assert_chain_verifies(organisation_id: int, rows: int) -> None:
    check = await verify_chain(organisation_id)
    assert (check.ok, check.rows) == (True, rows)


async def test_32_submissions_at_once_all_succeed_with_numbers_in_order(world: World) -> None:
    replies = await submit_all(world)
    assert [r.ok for r in replies] == [True] * IN_FLIGHT, [r.message for r in replies if not r.ok]
    assert not [r for r in replies if BUSY in r.message]
    await assert_numbers_have_no_gaps(IN_FLIGHT)
    # Each submitter was told their own number.
    told = sorted(m.number for m in await Matter.all() if any(m.number in r.message for r in replies))
    assert len(told) == IN_FLIGHT
    organisation_id = await Matter.first().values_list("organisation_id", flat=True)
    assert isinstance(organisation_id, int)
    await assert_chain_verifies(organisation_id, IN_FLIGHT)


async def test_32_taps_on_different_matters_at_once_all_decide(world: World) -> None:
    assert all(r.ok for r in await submit_all(world))
    taps = await open_cards()
    assert len(taps) == IN_FLIGHT
    keys = ["can_do" if n % 2 else "escalate" for n in range(IN_FLIGHT)]
    replies = await asyncio.gather(
        *(world.click(handle, ref, key) for (handle, ref), key in zip(taps, keys, strict=True))
    )
    assert [r.ok for r in replies] == [True] * IN_FLIGHT, [r.message for r in replies if not r.ok]
    states = Counter(m.state for m in await Matter.all())
    assert states == {MatterState.RESOLVED: IN_FLIGHT // 2, MatterState.PENDING: IN_FLIGHT // 2}
    # Every escalated matter has its next level open, with a card for its leader.
    assert await DecisionStep.filter(status=StepStatus.PENDING).count() == IN_FLIGHT // 2
    organisation_id = await Matter.first().values_list("organisation_id", flat=True)
    assert isinstance(organisation_id, int)
    await assert_chain_verifies(organisation_id, 2 * IN_FLIGHT)


async def test_taps_on_the_same_card_at_once_decide_it_once_and_tell_the_rest(world: World) -> None:
    matter = await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    keys = ["can_do", "escalate"] * 4
    replies = await asyncio.gather(*(world.click("chenguoqing", ref, key) for key in keys))
    decided = [r for r in replies if r.ok]
    assert len(decided) == 1
    assert all("已由 陈国庆 于" in r.message for r in replies if not r.ok), [r.message for r in replies]
    step = await DecisionStep.get(matter_id=matter.id, level=2)
    assert step.status == StepStatus.DECIDED
    assert (await Matter.get(id=matter.id)).version == 2  # one change on top of the submission
    await assert_chain_verifies(matter.organisation_id, 2)


async def test_consulted_deputies_answering_together_are_both_recorded(world: World) -> None:
    matter = await world.submit(form=FORM + "\n协办股室：工程建设股")
    assert (await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")).ok
    refs = {h: (await world.open_card(h))["ref"] for h in ("liminghua", "zhaozhiqiang")}
    first, second = await asyncio.gather(*(world.click(h, ref, "can_do") for h, ref in refs.items()))
    assert first.ok and second.ok, (first.message, second.message)
    assert (await Matter.get(id=matter.id)).state == MatterState.RESOLVED
    assert await DecisionStep.filter(matter_id=matter.id, level=3, status=StepStatus.DECIDED).count() == 2
    await assert_chain_verifies(matter.organisation_id, await AuditEntry.all().count())


async def test_a_mix_of_submissions_and_taps_at_once_leaves_a_whole_record(world: World) -> None:
    assert all(r.ok for r in await submit_all(world, IN_FLIGHT // 2))
    taps = await open_cards()
    clicks = [world.click(handle, ref, "can_do") for handle, ref in taps]
    replies = await asyncio.gather(submit_all(world, IN_FLIGHT // 2), *clicks)
    more, tapped = replies[0], replies[1:]
    assert all(r.ok for r in more) and all(isinstance(r, Reply) and r.ok for r in tapped)
    await assert_numbers_have_no_gaps(IN_FLIGHT)
    organisation_id = await Matter.first().values_list("organisation_id", flat=True)
    assert isinstance(organisation_id, int)
    await assert_chain_verifies(organisation_id, IN_FLIGHT + IN_FLIGHT // 2)


async def test_the_same_tap_delivered_four_times_at_once_is_applied_once(world: World) -> None:
    # A platform re-delivering one tap while the first is still being applied: one inbox key, one change.
    matter = await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    event = CardAction(
        Sender(Platform.SIMULATOR, "chenguoqing"), ref, "can_do", f"test:dup:{uuid.uuid4().hex}"
    )
    replies = await asyncio.gather(*(world.router.handle(event) for _ in range(4)))
    assert sum(1 for r in replies if r.ok and "已确认能办" in r.message) == 1
    assert all(r.ok for r in replies)  # the platform's re-deliveries are acknowledged, not refused
    assert not [r for r in replies if BUSY in r.message]
    await assert_chain_verifies(matter.organisation_id, 2)
