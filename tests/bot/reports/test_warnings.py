"""预警 colours at their boundaries, in working time: yellow with at most one working day (9 office
hours) left, red from the deadline on; weekends and holidays do not count."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calendar.warnings import Warn
from bot.calendar.workdays import load_calendar
from bot.matters.scoping import Scope, matters_in
from bot.reports.warnings import WarnItem, warned_items, week_period, weekly_moment
from bot.runtime.resources import Resources
from models.enums import StepStatus
from models.matter import DecisionStep
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter

WHOLE = Scope("全单位", whole_organisation=True)


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await build_org()


async def colours(resources: Resources, org: Org, due: dt.datetime, now: dt.datetime) -> list[Warn]:
    matter = await make_matter(org, org.transport, "s1", due - dt.timedelta(days=3), due_at=due)
    await DecisionStep.create(
        organisation_id=org.org.id, matter=matter, level=2, approver=org.people["gu1"],
        status=StepStatus.PENDING, opened_at=matter.submitted_at,
    )  # fmt: skip
    calendar = await load_calendar(resources.settings, org.org.id)
    oid = org.org.id
    items: list[WarnItem] = await warned_items(
        oid, matters_in(oid, WHOLE), matters_in(oid, WHOLE, "matter__"), calendar, now
    )
    return [i.warn for i in items]


@pytest.mark.parametrize(
    ("due", "now", "expected"),
    [
        (at(2026, 12, 4, 17, 30), at(2026, 12, 3, 17, 29), []),  # one working day and a minute left
        (at(2026, 12, 4, 17, 30), at(2026, 12, 3, 17, 30), [Warn.YELLOW]),  # exactly one working day
        (at(2026, 12, 4, 17, 30), at(2026, 12, 4, 17, 29), [Warn.YELLOW]),
        (at(2026, 12, 4, 17, 30), at(2026, 12, 4, 17, 30), [Warn.RED]),  # the deadline itself
        (at(2026, 12, 4, 17, 30), at(2026, 12, 9, 9, 0), [Warn.RED]),
        # Over a weekend: Friday 17:30 is one working day before Monday 17:30.
        (at(2026, 12, 7, 17, 30), at(2026, 12, 4, 17, 30), [Warn.YELLOW]),
        (at(2026, 12, 7, 17, 30), at(2026, 12, 4, 17, 0), []),
        # Over National Day (1–7 October off): 30 September 17:30 is one working day before 8 October.
        (at(2026, 10, 8, 17, 30), at(2026, 9, 30, 17, 30), [Warn.YELLOW]),
        (at(2026, 10, 8, 17, 30), at(2026, 9, 30, 12, 0), []),
    ],
)
async def test_yellow_and_red_at_their_boundaries(
    resources: Resources, org: Org, due: dt.datetime, now: dt.datetime, expected: list[Warn]
) -> None:
    assert await colours(resources, org, due, now) == expected


async def test_the_week_starts_on_its_first_working_day(resources: Resources, org: Org) -> None:
    calendar = await load_calendar(resources.settings, org.org.id)
    assert weekly_moment(calendar, dt.date(2026, 12, 9)) == at(2026, 12, 7, 9, 0)  # a Monday
    assert weekly_moment(calendar, dt.date(2026, 10, 6)) == at(2026, 10, 8, 9, 0)  # National Day week
    assert week_period(dt.date(2026, 12, 9)) == "2026-W50"
