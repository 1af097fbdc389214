"""The overview's figures for a seeded set of matters (see ``tests.support.console.seed_quarter``):
each count as the office, a deputy and a principal should see it, and nothing of another
organisation."""

from __future__ import annotations

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.matters.scoping import Scope, leader_scope
from bot.reports.dashboard_lists import Overview, overview
from bot.runtime.resources import Resources
from models.enums import MatterState
from tests.support.console import ConsoleOrg, console_org, seed_quarter


@pytest.fixture
async def corg(resources: Resources, clock: SimClock) -> ConsoleOrg:
    made = await console_org()
    await seed_quarter(made, clock.now())
    return made


async def _overview(resources: Resources, organisation_id: int, scope: Scope) -> Overview:
    now = resources.clock.now()
    calendar = await load_calendar(resources.settings, organisation_id, today=now.date())
    return await overview(organisation_id, scope, calendar, now)


WHOLE = Scope("全单位", whole_organisation=True)


async def test_open_matters_by_level_and_age(resources: Resources, corg: ConsoleOrg) -> None:
    o = await _overview(resources, corg.organisation.id, WHOLE)
    rows = {(r.state, r.level): r for r in o.open_rows}
    assert rows[(MatterState.PENDING, 2)].ages == (1, 0, 0, 0)
    assert rows[(MatterState.PENDING, 3)].ages == (0, 1, 0, 0) and rows[(MatterState.PENDING, 3)].overdue == 1
    assert rows[(MatterState.PENDING, 4)].ages == (0, 0, 0, 1) and rows[(MatterState.PENDING, 4)].overdue == 0
    assert rows[(MatterState.RESOLVED, None)].ages == (0, 0, 1, 0)
    assert (
        rows[(MatterState.REFUSED, None)].ages == (0, 0, 1, 0)
        and rows[(MatterState.REFUSED, None)].overdue == 1
    )
    assert o.open_total == 5


async def test_overdue_and_yellow_deadlines(resources: Resources, corg: ConsoleOrg) -> None:
    d = (await _overview(resources, corg.organisation.id, WHOLE)).deadlines
    assert d.overdue_steps == {2: 0, 3: 1, 4: 0}
    assert d.yellow_steps == 1  # c: due in 3 working hours
    assert d.overdue_replies == {MatterState.RESOLVED: 0, MatterState.REFUSED: 1}
    assert d.yellow_replies == 1  # d: due at 17:30 today


async def test_this_quarter_against_the_last(resources: Resources, corg: ConsoleOrg) -> None:
    o = await _overview(resources, corg.organisation.id, WHOLE)
    assert (str(o.this_quarter), str(o.last_quarter)) == ("2026Q4", "2026Q3")
    now, last = o.current, o.previous
    assert (now.submitted, now.can_do, now.refused, now.withdrawn, now.open, now.overdue) == (
        6,
        1,
        1,
        1,
        3,
        2,
    )
    assert (last.submitted, last.can_do, last.refused, last.withdrawn, last.open, last.overdue) == (
        2,
        1,
        1,
        0,
        0,
        0,
    )
    assert [q.refused for q in o.quarters] == [0, 0, 0, 0, 1, 1]
    assert len(o.quarters) == 6 and str(o.quarters[0].quarter) == "2025Q3"


async def test_sections_bars_replies_due_today_and_unconfirmed_units(
    resources: Resources, corg: ConsoleOrg
) -> None:
    o = await _overview(resources, corg.organisation.id, WHOLE)
    bars = {b.name: (b.this_quarter, b.last_quarter, b.refused) for b in o.sections}
    assert bars == {"运政股": (5, 1, 1), "养护股": (1, 0, 0), "路政股": (0, 1, 0)}
    assert [s.name for s in o.sections] == ["运政股", "养护股", "路政股"]
    assert o.due_today.count == 1 and [m.number for m in o.due_today.matters] == [
        o.due_today.matters[0].number
    ]
    assert [(u.name, u.quarter, u.overdue) for u in o.unconfirmed] == [("公路中心", "2026Q3", True)]


async def test_a_deputy_sees_only_the_sections_in_their_charge(
    resources: Resources, corg: ConsoleOrg
) -> None:
    scope = await leader_scope(corg.organisation.id, corg.deputy.id, resources.clock.now().date())
    o = await _overview(resources, corg.organisation.id, scope)
    assert {b.name for b in o.sections} == {"运政股"}
    assert o.current.submitted == 5 and o.previous.submitted == 1
    assert o.unconfirmed == []  # no unit of their own


async def test_a_principal_sees_their_unit(resources: Resources, corg: ConsoleOrg) -> None:
    scope = await leader_scope(corg.organisation.id, corg.principal.id, resources.clock.now().date())
    o = await _overview(resources, corg.organisation.id, scope)
    assert {b.name for b in o.sections} == {"运政股", "路政股"}
    assert o.unconfirmed == []  # 局机关 confirmed


async def test_another_organisation_sees_none_of_these(resources: Resources, corg: ConsoleOrg) -> None:
    o = await _overview(resources, corg.other.id, WHOLE)
    assert o.current.submitted == 1 and o.deadlines.overdue_steps[2] == 1
    assert o.sections[0].name == "潜山运政股" and len(o.sections) == 1
