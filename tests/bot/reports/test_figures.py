"""A quarter's figures add up: 受理 = 能办 at each level + 确认不能办 + 撤回 by reason + 在办, per
section, per unit and for the bureau; times to decide are shown to the minute."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.calendar.hours import working_time_text
from bot.calendar.quarters import Quarter
from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.reports.digest import digest_markdown
from bot.reports.pending import pending_list
from bot.reports.stats import Counts, QuarterStats, quarter_stats
from bot.runtime.resources import Resources
from models.enums import WithdrawReason
from tests.bot.jobs.test_duties import at
from tests.bot.reports.seeded import Seeded, seed_quarter


@pytest.fixture
async def seeded(resources: Resources) -> Seeded:
    return await seed_quarter()


async def q4(resources: Resources, seeded: Seeded) -> QuarterStats:
    calendar = await load_calendar(resources.settings, seeded.org.org.id)
    return await quarter_stats(seeded.org.org.id, Quarter(2026, 4), calendar)


def split(c: Counts) -> tuple[int, ...]:
    """受理, 能办 L2/L3/L4, 确认不能办, 撤回 by reason (申请人/误报/其他), 在办."""
    return (
        c.submitted,
        *(c.resolved_at_level[level] for level in (2, 3, 4)),
        c.refused,
        *(c.withdrawn_for[reason] for reason in WithdrawReason),
        c.pending,
    )


def adds_up(c: Counts) -> bool:
    parts = c.resolved + c.refused + sum(c.withdrawn_for.values()) + c.pending
    return c.submitted == parts == c.accounted


async def test_every_unit_and_the_bureau_add_up_with_pending_and_withdrawn_by_reason(
    resources: Resources, seeded: Seeded
) -> None:
    stats = await q4(resources, seeded)
    bureau, centre = stats.units
    assert split(bureau.counts) == (6, 1, 1, 0, 1, 1, 1, 0, 1)
    assert split(centre.counts) == (4, 0, 0, 1, 1, 0, 0, 1, 1)
    assert split(stats.totals) == (10, 1, 1, 1, 2, 1, 1, 1, 2)
    for counts in (
        stats.totals,
        *(u.counts for u in stats.units),
        *(s.counts for u in stats.units for s in u.sections),
    ):
        assert adds_up(counts), split(counts)


async def test_the_pending_ones_are_listed_in_the_digest(
    resources: Resources, clock: SimClock, seeded: Seeded
) -> None:
    stats = await q4(resources, seeded)
    assert [p.number for p in await pending_list(stats)] == [
        seeded.matters["centre_pending"].number,
        seeded.matters["pending"].number,
    ]
    clock.set(at(2027, 1, 4, 10, 0))
    office = await digest_markdown(resources, seeded.org.org, "2026Q4")
    assert "**10** 件 = 能办 3 + 确认不能办 2 + 撤回 3 + 在办 2" in office
    assert "撤回：3 件（申请人撤回申请 1、误报 1、其他 1）" in office
    assert (
        f"{seeded.matters['pending'].number}（局机关·运输股，股室负责人审批中，2026-12-30 10:00 受理）"
        in office
    )
    assert f"{seeded.matters['centre_pending'].number}（公路事业发展中心·养护股，分管领导审批中" in office
    centre = await digest_markdown(resources, seeded.org.org, "2026Q4", unit=seeded.org.centre)
    assert (
        seeded.matters["centre_pending"].number in centre and seeded.matters["pending"].number not in centre
    )


async def test_each_list_of_pending_matters_holds_what_its_figures_count(
    resources: Resources, seeded: Seeded
) -> None:
    calendar = await load_calendar(resources.settings, seeded.org.org.id)
    for quarter in (Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4)):
        stats = await quarter_stats(seeded.org.org.id, quarter, calendar)
        assert len(await pending_list(stats)) == stats.totals.pending
        for unit in stats.units:
            listed = await pending_list(stats, unit.unit_id)
            assert len(listed) == unit.counts.pending, (quarter, unit.name)


async def test_a_matter_decided_after_the_quarter_is_pending_in_it_and_counted_once(
    resources: Resources, seeded: Seeded
) -> None:
    calendar = await load_calendar(resources.settings, seeded.org.org.id)
    q3 = await quarter_stats(seeded.org.org.id, Quarter(2026, 3), calendar)
    assert split(q3.totals) == (1, 0, 0, 0, 0, 0, 0, 0, 1) and adds_up(q3.totals)


async def test_a_decision_within_minutes_shows_its_minutes(resources: Resources, seeded: Seeded) -> None:
    stats = await q4(resources, seeded)
    transport = stats.units[0].sections[0].counts
    # 0.2 h and 9 h decided: 4.6 h on average.
    assert working_time_text(transport.avg_decide_hours) == "4小时36分"
    assert working_time_text(Decimal("0.2000")) == "0小时12分"
    assert working_time_text(Decimal("0.0050")) == "不足1分钟"
    assert working_time_text(None) == "—"
    assert working_time_text(Decimal("27")) == "27小时0分"
