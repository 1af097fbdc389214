"""The per-event memo of organisation rows: read once inside an event, always afresh outside one,
and a stand-in range the event itself sets is seen by what the event does next."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.matters import lookups
from bot.org import import_org
from models.org import Department, Person, StandIn
from tests.handlers.test_event_cost import counted_statements
from tests.support.stack import EXAMPLE_ORG

DAY = dt.date(2026, 12, 1)


@pytest.fixture
async def org(db: None) -> AsyncIterator[None]:
    await import_org(EXAMPLE_ORG.read_text(encoding="utf-8"))
    yield


async def test_inside_an_event_a_section_is_read_once(org: None) -> None:
    department = await Department.first()
    assert department is not None
    with lookups.event_lookups(), counted_statements() as seen:
        first = await lookups.department(department.id)
        again = await lookups.department(department.id)
    assert first.name == again.name == department.name
    assert sum(seen.values()) == 1


async def test_outside_an_event_every_lookup_reads_the_database(org: None) -> None:
    department = await Department.first()
    assert department is not None
    with counted_statements() as seen:
        await lookups.department(department.id)
        await Department.filter(id=department.id).update(name="改名后的股室")
        renamed = await lookups.department(department.id)
    assert renamed.name == "改名后的股室"
    assert sum(seen.values()) == 3


async def test_a_stand_in_set_during_the_event_is_seen_after_it(org: None) -> None:
    leader, deputy = await Person.filter(active=True).order_by("id").limit(2)
    with lookups.event_lookups():
        assert await lookups.stand_ins_on([leader.id], DAY) == {}
        await StandIn.create(
            organisation_id=leader.organisation_id,
            person_id=leader.id,
            stand_in_id=deputy.id,
            start_date=DAY,
            end_date=DAY,
        )
        lookups.forget_stand_ins()
        assert await lookups.stand_ins_on([leader.id], DAY) == {leader.id: deputy.id}


async def test_people_already_read_are_not_read_again(org: None) -> None:
    everyone = await Person.all().order_by("id").limit(3)
    known, *others = everyone
    with lookups.event_lookups(known), counted_statements() as seen:
        found = await lookups.people(p.id for p in everyone)
        again = await lookups.person(others[0].id)
    assert {i: p.name for i, p in found.items()} == {p.id: p.name for p in everyone}
    assert again.name == others[0].name
    assert sum(seen.values()) == 1  # only the two not known yet, in one SELECT
