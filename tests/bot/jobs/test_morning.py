"""The leader's morning card: at 08:30 on a working day each person holding open steps gets one
card listing them, most urgent first, linking to 我的待办; once per person per day, none for
someone with nothing open, none on a day off."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.cards import Card
from bot.clock import SimClock
from bot.jobs.morning import LISTED
from bot.runtime.resources import Resources
from models.cards import CardInstance
from models.enums import CardKind
from models.messaging import OutboxMessage
from models.org import StandIn
from tests.bot.jobs.test_duties import Org, at, build_org, handle, make_matter, make_step, rows, run_at


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await build_org()


def card_of(row: OutboxMessage) -> Card:
    return Card.from_dict(row.payload["card"])


async def morning_cards() -> dict[str, Card]:
    return {handle(row): card_of(row) for row in await rows("morning:")}


async def test_each_holder_gets_one_card_at_half_past_eight_most_urgent_first(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    later = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 15, 0))
    sooner = await make_matter(org, org.transport, "s1", at(2026, 11, 27, 10, 0))
    other = await make_matter(org, org.legal, "s2", at(2026, 11, 30, 10, 0))
    await make_step(later, org.people["gu1"], at(2026, 11, 30, 15, 0))
    await make_step(sooner, org.people["gu1"], at(2026, 11, 27, 10, 0))
    await make_step(other, org.people["gu2"], at(2026, 11, 30, 10, 0))

    await run_at(resources, clock, at(2026, 12, 1, 8, 29))
    assert await morning_cards() == {}

    await run_at(resources, clock, at(2026, 12, 1, 8, 30))
    cards = await morning_cards()
    assert set(cards) == {"gu1", "gu2"}  # nobody else holds anything: no card for them
    mine = cards["gu1"]
    assert mine.title == "今日待审批 2 件"
    assert [f.value.split()[0] for f in mine.fields] == [sooner.number, later.number]
    assert [(link.label, link.url) for link in mine.links] == [("打开我的待办", "/m/signin?next=/m/todo")]
    instance = await CardInstance.get(ref=mine.ref)
    assert instance.kind is CardKind.MORNING and instance.subject_id == org.people["gu1"].id

    # The pass runs every minute: still one card each that day.
    await run_at(resources, clock, at(2026, 12, 1, 9, 0))
    await run_at(resources, clock, at(2026, 12, 1, 16, 0))
    assert len(await rows("morning:")) == 2

    # The next working day, a new one.
    await run_at(resources, clock, at(2026, 12, 2, 8, 31))
    assert [handle(r) for r in await rows("morning:")].count("gu1") == 2


async def test_nothing_open_means_no_card(resources: Resources, clock: SimClock, org: Org) -> None:
    done = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0), state="resolved")
    await make_step(done, org.people["gu1"], at(2026, 11, 30, 9, 0), status="decided")
    await run_at(resources, clock, at(2026, 12, 1, 8, 45))
    assert await morning_cards() == {}


async def test_no_card_on_a_day_off_or_after_office(resources: Resources, clock: SimClock, org: Org) -> None:
    matter = await make_matter(org, org.transport, "s1", at(2026, 12, 4, 9, 0))
    await make_step(matter, org.people["gu1"], at(2026, 12, 4, 9, 0))
    await run_at(resources, clock, at(2026, 12, 5, 9, 0))  # Saturday
    await run_at(resources, clock, at(2026, 12, 6, 10, 0))  # Sunday
    await run_at(resources, clock, at(2026, 12, 4, 17, 45))  # Friday after office
    assert await morning_cards() == {}


async def test_a_long_list_is_cut_with_how_many_more(resources: Resources, clock: SimClock, org: Org) -> None:
    for day in range(LISTED + 2):
        submitted = at(2026, 11, 23, 9, 0) + dt.timedelta(hours=day)
        matter = await make_matter(org, org.transport, "s1", submitted)
        await make_step(matter, org.people["gu1"], submitted)
    await run_at(resources, clock, at(2026, 12, 1, 8, 30))
    card = (await morning_cards())["gu1"]
    assert card.title == f"今日待审批 {LISTED + 2} 件"
    assert len(card.fields) == LISTED + 1
    assert card.fields[-1].label == "还有" and card.fields[-1].value.startswith("2 件")
    assert all(f.label == "已逾期" for f in card.fields[:LISTED])  # all past their deadline


async def test_the_stand_in_gets_the_card_of_the_steps_they_hold(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    await make_step(matter, org.people["gu1"], at(2026, 11, 30, 9, 0))
    await StandIn.create(
        organisation=org.org, person=org.people["gu1"], stand_in=org.people["gu2"],
        start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 1),
    )  # fmt: skip
    await run_at(resources, clock, at(2026, 12, 1, 8, 30))
    assert set(await morning_cards()) == {"gu2"}
