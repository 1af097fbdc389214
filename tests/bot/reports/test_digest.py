"""Quarter figures, the digest texts and `tiji digest` against a known data set."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from bot.calendar.hours import working_time_text
from bot.calendar.quarters import Quarter
from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.reports.digest import digest_markdown
from bot.reports.digest_cli import digest_cli
from bot.reports.stats import QuarterStats, quarter_stats
from bot.reports.xlsx import TableRequest, quarter_workbook
from bot.runtime.resources import Resources
from models.enums import WithdrawReason
from models.matter import Matter
from models.messaging import OutboxMessage
from models.reports import DutyRun, ReportTask
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter


@pytest.fixture
async def org(resources: Resources) -> Org:
    """2026Q4 data: working hours to decide are worked out by hand in the comments."""
    o = await build_org()
    # 运输股: can_do at level 2 after 2 h (09:00→11:00), replied in time.
    await make_matter(
        o, o.transport, "s1", at(2026, 11, 2, 9, 0), state="closed", outcome="can_do", level=2,
        decided_at=at(2026, 11, 2, 11, 0), replied_at=at(2026, 11, 3, 9, 0),
    )  # fmt: skip
    # 运输股: can_do at level 3 after 9 h (Tue 09:00–17:30 8.5 h + Wed 08:30–09:00 0.5 h); never
    # replied, due Fri 6 Nov 17:30 → overdue.
    await make_matter(
        o, o.transport, "s1", at(2026, 11, 3, 9, 0), state="resolved", outcome="can_do", level=3,
        decided_at=at(2026, 11, 4, 9, 0),
    )  # fmt: skip
    # 运输股: submitted 30 Dec, still pending; due Tue 5 Jan 2027 (1 Jan is a holiday) → Q1's business.
    await make_matter(o, o.transport, "s1", at(2026, 12, 30, 10, 0))
    # 法规股: refused at level 4 after 18 h: Fri 9 Oct 8.5 h + Sat 10 Oct (调休 workday) 9 h + Mon 0.5 h.
    await make_matter(
        o, o.legal, "s2", at(2026, 10, 9, 9, 0), state="closed", outcome="confirm_no", level=4,
        decided_at=at(2026, 10, 12, 9, 0), replied_at=at(2026, 10, 13, 10, 0),
    )  # fmt: skip
    # 法规股: withdrawn before its deadline.
    await make_matter(
        o,
        o.legal,
        "s2",
        at(2026, 12, 1, 9, 0),
        state="withdrawn",
        level=2,
        withdrawn_at=at(2026, 12, 1, 10, 0),
    )
    # 养护股: submitted in Q3 (Tue 29 Sep), decided can_do at level 4 in Q4 after 27 h: 29 Sep 8.5 h
    # + 30 Sep 9 h + (1–7 Oct National Day) + Thu 8 Oct 9 h + Fri 9 Oct 0.5 h; due Fri 9 Oct,
    # replied Sat 10 Oct → overdue in Q4.
    await make_matter(
        o, o.upkeep, "s3", at(2026, 9, 29, 9, 0), state="closed", outcome="can_do", level=4,
        decided_at=at(2026, 10, 9, 9, 0), replied_at=at(2026, 10, 10, 9, 0),
    )  # fmt: skip
    # 养护股: Q2, outside every Q4 figure.
    await make_matter(
        o, o.upkeep, "s3", at(2026, 6, 30, 9, 0), state="closed", outcome="can_do", level=2,
        decided_at=at(2026, 6, 30, 10, 0), replied_at=at(2026, 6, 30, 11, 0),
    )  # fmt: skip
    # 养护股: refused at level 4 after 18 h (Tue 15 Dec 8.5 + Wed 9 + Thu 0.5), never replied → overdue.
    await make_matter(
        o, o.upkeep, "s3", at(2026, 12, 15, 9, 0), state="refused", outcome="confirm_no", level=4,
        decided_at=at(2026, 12, 17, 9, 0),
    )  # fmt: skip
    return o


def figures(counts: object) -> tuple[object, ...]:
    """受理, 能办 at levels 2/3/4, 确认不能办, 撤回, 在办, 逾期, the average time to decide."""
    from bot.reports.stats import Counts

    assert isinstance(counts, Counts)
    return (
        counts.submitted,
        counts.resolved_at_level[2],
        counts.resolved_at_level[3],
        counts.resolved_at_level[4],
        counts.refused,
        counts.withdrawn,
        counts.pending,
        counts.overdue,
        working_time_text(counts.avg_decide_hours),
    )


async def q4_stats(resources: Resources, org: Org, now: dt.datetime | None = None) -> QuarterStats:
    calendar = await load_calendar(resources.settings, org.org.id)
    return await quarter_stats(org.org.id, Quarter(2026, 4), calendar, now=now)


async def test_quarter_figures_per_section_unit_and_total(resources: Resources, org: Org) -> None:
    stats = await q4_stats(resources, org)
    assert stats.complete
    assert [(u.name, [s.name for s in u.sections]) for u in stats.units] == [
        ("局机关", ["运输股", "法规股"]),
        ("公路事业发展中心", ["养护股"]),
    ]
    transport, legal = stats.units[0].sections
    [upkeep] = stats.units[1].sections
    # The matters accepted in Q4 as they stood at its end; 逾期 counts the deadlines that fell in Q4
    # (养护股's Q3 matter, replied late in Q4, is overdue here but accepted in Q3).
    assert figures(transport.counts) == (3, 1, 1, 0, 0, 0, 1, 1, "5小时30分")
    assert figures(legal.counts) == (2, 0, 0, 0, 1, 1, 0, 0, "18小时0分")
    assert figures(stats.units[0].counts) == (5, 1, 1, 0, 1, 1, 1, 1, "9小时40分")
    assert figures(upkeep.counts) == (1, 0, 0, 0, 1, 0, 0, 2, "18小时0分")
    assert figures(stats.totals) == (6, 1, 1, 0, 2, 1, 1, 3, "11小时45分")
    for row in (transport, legal, upkeep, *stats.units, stats):
        counts = row.totals if isinstance(row, QuarterStats) else row.counts
        assert counts.accounted == counts.submitted


async def test_figures_of_a_past_quarter_do_not_change_later(resources: Resources, org: Org) -> None:
    at_digest = await q4_stats(resources, org, now=at(2027, 1, 4, 9, 0))
    months_later = await q4_stats(resources, org, now=at(2027, 6, 1, 9, 0))
    assert figures(at_digest.totals) == figures(months_later.totals) == (6, 1, 1, 0, 2, 1, 1, 3, "11小时45分")


async def test_running_quarter_counts_up_to_now(resources: Resources, org: Org) -> None:
    calendar = await load_calendar(resources.settings, org.org.id)
    # The pending 运输股 matter was due Tue 5 Jan 17:30: not overdue on the 5th, overdue on the 6th.
    on_5th = await quarter_stats(org.org.id, Quarter(2027, 1), calendar, now=at(2027, 1, 5, 17, 0))
    on_6th = await quarter_stats(org.org.id, Quarter(2027, 1), calendar, now=at(2027, 1, 6, 9, 0))
    assert not on_6th.complete
    assert on_5th.totals.overdue == 0 and on_5th.totals.submitted == 0
    assert on_6th.units[0].sections[0].counts.overdue == 1 and on_6th.totals.overdue == 1
    q3 = await quarter_stats(org.org.id, Quarter(2026, 3), calendar)
    # 养护股's Q3 matter was still being decided at the end of Q3: 在办 there, decided in Q4.
    assert figures(q3.units[1].counts)[:8] == (1, 0, 0, 0, 0, 0, 1, 0) and q3.totals.decided == 0


async def test_digest_markdown_for_the_office_and_for_a_unit(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    clock.set(at(2027, 1, 4, 10, 0))
    office = await digest_markdown(resources, org.org, "2026Q4")
    assert "桐柏县交通运输局2026年第4季度说“不”事项提级管理汇总" in office
    assert "受理说“不”事项：**6** 件" in office
    assert "**6** 件 = 能办 2 + 确认不能办 2 + 撤回 1 + 在办 1" in office
    assert "能办：**2** 件（股室负责人 1、分管领导 1、主要领导 0）" in office
    assert "在办（季度末仍在审批）：1 件" in office
    assert "TJ-2026-0003（局机关·运输股，股室负责人审批中，2026-12-30 10:00 受理）" in office
    assert "逾期未回复（回复期限在本季度内）：3 件" in office and "平均决定用时：11小时45分" in office
    assert "- 局机关：受理 5，能办 2（1/1/0），不能办 1，撤回 1，在办 1，逾期 1，平均用时 9小时40分" in office
    assert "尚未结束" not in office

    centre = await digest_markdown(resources, org.org, "2026Q4", unit=org.centre)
    assert centre.startswith("## 公路事业发展中心2026年第4季度")
    assert "- 养护股：受理 1，能办 0（0/0/0），不能办 1，撤回 0，在办 0，逾期 2，平均用时 18小时0分" in centre
    assert "运输股" not in centre and "TJ-2026-0003" not in centre

    running = await digest_markdown(resources, org.org, "2027Q1")
    assert "本季度尚未结束，数据截至 2027-01-04 10:00" in running
    with pytest.raises(ValueError, match="还没有开始"):
        await digest_markdown(resources, org.org, "2027Q2")
    with pytest.raises(ValueError, match="2026Q3 这样"):
        await digest_markdown(resources, org.org, "Q9")


async def test_digest_cli_prints_and_posts_once(resources: Resources, clock: SimClock, org: Org) -> None:
    clock.set(at(2027, 2, 1, 10, 0))  # long after the scheduled window: only by hand
    text = await digest_cli(resources, None, "2026Q4", post=False)
    assert "受理说“不”事项：**6** 件" in text
    assert await OutboxMessage.all().count() == 0

    posted = await digest_cli(resources, "tb", "2026q4", post=True)
    assert "已加入发送队列" in posted
    assert await OutboxMessage.filter(dedupe_key__startswith="digest:2026Q4").count() == 3
    assert await ReportTask.filter(quarter="2026Q4").count() == 2
    again = await digest_cli(resources, "tb", "2026Q4", post=True)
    assert "已于 2027-02-01 10:00 发布过" in again
    assert await OutboxMessage.filter(dedupe_key__startswith="digest:2026Q4").count() == 3
    assert await DutyRun.filter(kind="digest").count() == 1

    with pytest.raises(ValueError, match="没有代码为 nope 的机构"):
        await digest_cli(resources, "nope", "2026Q4", post=False)
    with pytest.raises(ValueError, match="还没有结束"):
        await digest_cli(resources, "tb", "2027Q1", post=True)


async def test_withdrawals_count_under_their_reason_in_the_quarter_of_the_matter(
    resources: Resources, clock: SimClock
) -> None:
    o = await build_org()
    for submitted, withdrawn, reason in (
        (at(2026, 11, 2, 9, 0), at(2026, 11, 2, 10, 0), WithdrawReason.APPLICANT),
        (at(2026, 11, 3, 9, 0), at(2026, 11, 3, 9, 30), WithdrawReason.MISREPORT),
        (at(2026, 11, 4, 9, 0), at(2026, 11, 4, 9, 30), WithdrawReason.APPLICANT),
        (at(2026, 11, 5, 9, 0), at(2026, 11, 5, 9, 30), None),  # withdrawn before reasons were asked
        (at(2026, 12, 31, 9, 0), at(2027, 1, 4, 9, 0), WithdrawReason.OTHER),  # 在办 at Q4's end
    ):
        matter = await make_matter(o, o.transport, "s1", submitted, state="withdrawn", withdrawn_at=withdrawn)
        await Matter.filter(id=matter.id).update(withdraw_reason=reason)

    stats = await q4_stats(resources, o)
    transport = stats.units[0].sections[0].counts
    assert transport.withdrawn == 4 and transport.submitted == 5 and transport.pending == 1
    assert transport.withdrawn_for == {
        WithdrawReason.APPLICANT: 2,
        WithdrawReason.MISREPORT: 1,
        WithdrawReason.OTHER: 1,
    }
    clock.set(at(2027, 1, 5, 10, 0))
    text = await digest_markdown(resources, o.org, "2026Q4")
    assert "撤回：4 件（申请人撤回申请 2、误报 1、其他 1）" in text
    assert "- 局机关：受理 5，能办 0（0/0/0），不能办 0，撤回 4，在办 1，逾期 0" in text
    next_quarter = await digest_markdown(resources, o.org, "2027Q1")
    assert "撤回：0 件" in next_quarter  # the matter is Q4's: its withdrawal is not counted again

    calendar = await load_calendar(resources.settings, o.org.id)
    request = TableRequest(o.org.name, at(2027, 1, 5, 10, 0))
    book = openpyxl.load_workbook(io.BytesIO(await quarter_workbook(stats, calendar, request)))
    # 股室, 受理, 能办 (小计, 3 levels), 确认不能办, 撤回 (小计, 3 reasons), 在办
    assert [c.value for c in book["局机关"][7]][:12] == ["运输股", 5, 0, 0, 0, 0, 0, 4, 2, 1, 1, 1]
