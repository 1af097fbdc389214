"""The ledger's figures in the quarterly table: 登记 = 答疑 + 交办 + 并单 + 待分流 and 交办 = 按时办结 +
逾期办结 + 超期未办结 + 办理中, per section and in total, as they stood at the cutoff; the
workbook's 投诉台账汇总 sheet and the digest say the same, and the matters' figures are unchanged."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from bot.calendar.quarters import parse_quarter
from bot.calendar.workdays import load_calendar
from bot.reports.digest import render_digest
from bot.reports.ledger_figures import LedgerCounts
from bot.reports.stats import QuarterStats, quarter_stats
from bot.reports.xlsx import TableRequest, quarter_workbook
from bot.reports.xlsx_ledger import HEADERS
from bot.runtime.resources import Resources
from tests.support.console import ConsoleOrg, console_org
from tests.support.ledger_seed import seed_ledger


async def _stats(resources: Resources, corg: ConsoleOrg, now: dt.datetime) -> QuarterStats:
    calendar = await load_calendar(resources.settings, corg.organisation.id, today=now.date())
    return await quarter_stats(corg.organisation.id, parse_quarter("2026Q4"), calendar, now=now)


async def test_the_quarter_counts_the_ledger_as_it_stood_at_the_cutoff(resources: Resources) -> None:
    corg = await console_org()
    await seed_ledger(resources, corg)
    stats = await _stats(resources, corg, resources.clock.now())
    total = stats.ledger.total()
    assert total == LedgerCounts(received=6, answered=1, assigned=3, merged=1, untriaged=1, done_on_time=1,
                                 overdue=1, in_progress=1, supervised=1, referred=1)  # fmt: skip
    assert stats.ledger.section(corg.yunzheng.id) == LedgerCounts(received=2, assigned=2, done_on_time=1,
                                                                  in_progress=1, referred=1)  # fmt: skip
    assert stats.ledger.section(corg.luzheng.id).overdue == 1
    assert stats.totals.submitted == stats.totals.accounted == 0  # the matters' figures stay their own
    # On Monday evening nothing was done or overdue yet, and nothing was referred.
    monday = await _stats(resources, corg, dt.datetime(2026, 11, 30, 20, 0, tzinfo=resources.settings.tz))
    assert monday.ledger.total() == LedgerCounts(received=6, answered=1, assigned=3, merged=1, untriaged=1,
                                                 in_progress=3, supervised=1)  # fmt: skip


async def test_the_workbook_and_the_digest_show_the_ledger(resources: Resources) -> None:
    corg = await console_org()
    await seed_ledger(resources, corg)
    now = resources.clock.now()
    stats = await _stats(resources, corg, now)
    calendar = await load_calendar(resources.settings, corg.organisation.id, today=now.date())
    body = await quarter_workbook(stats, calendar, TableRequest(corg.organisation.name, now))
    sheet = openpyxl.load_workbook(io.BytesIO(body))["投诉台账汇总"]
    assert [c.value for c in sheet[4]] == ["单位", *HEADERS]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows["局机关"] == (3, 0, 3, 0, 0, 1, 0, 1, 1, 1, 1)
    assert rows["公路中心"] == (0,) * 11
    assert rows["未交办（活动办公室）"] == (3, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0)
    assert rows["合计"] == (6, 1, 3, 1, 1, 1, 0, 1, 1, 1, 1)
    text = render_digest(stats, corg.organisation.name, tz=resources.settings.tz)
    assert "投诉台账（本季度登记）：**6** 件 = 答疑 1 + 交办 3 + 并单 1 + 待分流 1" in text
    assert "督办（无事项登记即说“不”）1 件；移送纪检组 1 件" in text
    unit = render_digest(stats, corg.organisation.name, tz=resources.settings.tz, unit_id=corg.bureau.id)
    assert "投诉台账（本季度登记）：**3** 件 = 答疑 0 + 交办 3" in unit
