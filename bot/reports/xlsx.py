"""《说“不”事项提级管理汇总表》 as an .xlsx workbook (openpyxl), laid out like the paper table:

- 全局汇总: the bureau's summary, a row per unit (填报单位 the organisation, 负责人 its principal);
- a sheet per unit: a row per section (填报单位 the unit, 负责人 the unit's principal);
- 投诉台账汇总: the complaints ledger's figures of the quarter (`bot.reports.xlsx_ledger`);
- 事项明细: a row per matter accepted in the quarter.

Every sheet prints landscape on A4, one page wide, the header repeated on each page, and says the
period, the cutoff and the filters it was made with. Written in openpyxl's streaming mode
(``write_only``), the 事项明细's rows as text (`bot.reports.xlsx_rows`): rows go to a file as they
are appended and the matters are read a chunk at a time, so memory follows the chunk, never the
number of matters.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.calendar.workdays import WorkCalendar
from bot.reports.matter_lines import matter_lines
from bot.reports.stats import QuarterStats, UnitStats

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from bot.reports.xlsx_summary import SummaryHead

# openpyxl (and the modules built on it) are imported when a workbook is made, not with this
# module: the worker and the web app load them on their first workbook, not at start-up (~13 MB
# and most of a second each).

BUREAU_SHEET = "全局汇总"
ATTACHED_MATTERS = 3000  # rows of 事项明细 in a file sent to a chat (the console's has them all)


@dataclass(frozen=True)
class TableRequest:
    """What a workbook is made of: the whole organisation or one unit, as of ``made_at``."""

    organisation_name: str
    made_at: dt.datetime
    unit_id: int | None = None
    matter_limit: int | None = None

    def filters(self, stats: QuarterStats) -> str:
        unit = "全部单位" if self.unit_id is None else f"单位：{stats.unit(self.unit_id).name}"
        return f"季度：{stats.quarter}；{unit}"


def period_note(stats: QuarterStats) -> str:
    first, last = stats.quarter.first_day, stats.quarter.last_day
    note = f"统计期间：{first:%Y年%m月%d日}至{last:%Y年%m月%d日}受理的事项"
    if stats.complete:
        return note + "，办理情况截至季度末"
    return note + f"（本季度尚未结束，数据截至 {stats.cutoff.astimezone(stats.tz):%Y-%m-%d %H:%M}）"


def _filed_on(request: TableRequest, stats: QuarterStats) -> str:
    day = request.made_at.astimezone(stats.tz).date()
    return f"{day.year}年{day.month}月{day.day}日"


def _unit_head(stats: QuarterStats, unit: UnitStats, request: TableRequest) -> SummaryHead:
    from bot.reports.xlsx_summary import SummaryHead  # noqa: PLC0415 - see the imports

    return SummaryHead(
        title=f"{unit.name}说“不”事项提级管理汇总表（{stats.quarter.label}）",
        filed_by=unit.name,
        principal=unit.principal,
        filed_on=_filed_on(request, stats),
        period=period_note(stats),
        filters=request.filters(stats),
    )


def _bureau_head(stats: QuarterStats, request: TableRequest) -> SummaryHead:
    from bot.reports.xlsx_summary import SummaryHead  # noqa: PLC0415 - see the imports

    bureau = next((u for u in stats.units if u.bureau), stats.units[0] if stats.units else None)
    return SummaryHead(
        title=f"{request.organisation_name}说“不”事项提级管理汇总表（{stats.quarter.label}）",
        filed_by=request.organisation_name,
        principal="" if bureau is None else bureau.principal,
        filed_on=_filed_on(request, stats),
        period=period_note(stats),
        filters=request.filters(stats),
    )


def _ledger(
    ws: Worksheet, stats: QuarterStats, request: TableRequest, units: list[UnitStats], name: str
) -> None:
    from bot.reports.xlsx_ledger import UNASSIGNED, ledger_sheet  # noqa: PLC0415 - see the imports

    ledger = stats.ledger
    if request.unit_id is None:
        rows = [(u.name, ledger.total([s.department_id for s in u.sections])) for u in units]
        rows.append((UNASSIGNED, ledger.unassigned))
    else:
        rows = [(s.name, ledger.section(s.department_id)) for s in units[0].sections]
    title = f"{name}办不成事投诉台账汇总（{stats.quarter.label}）"
    note = f"{period_note(stats).replace('受理的事项', '登记的投诉')}　　{request.filters(stats)}"
    ledger_sheet(ws, title, note, "单位" if request.unit_id is None else "股室", rows)


async def quarter_workbook(stats: QuarterStats, calendar: WorkCalendar, request: TableRequest) -> bytes:
    """The quarter's workbook (see the module docstring); one unit's sheets only with ``unit_id``."""
    from openpyxl import Workbook  # noqa: PLC0415 - see the imports

    from bot.reports.xlsx_ledger import LEDGER_SUMMARY_SHEET  # noqa: PLC0415
    from bot.reports.xlsx_matters import MATTER_SHEET, matter_sheet  # noqa: PLC0415
    from bot.reports.xlsx_style import sheet_name  # noqa: PLC0415
    from bot.reports.xlsx_summary import summary_sheet  # noqa: PLC0415

    wb = Workbook(write_only=True)
    taken = {BUREAU_SHEET, MATTER_SHEET, LEDGER_SUMMARY_SHEET}
    units = stats.units if request.unit_id is None else [stats.unit(request.unit_id)]
    if request.unit_id is None:
        rows = [(u.name, u.counts) for u in stats.units]
        summary_sheet(wb.create_sheet(BUREAU_SHEET), _bureau_head(stats, request), "单位", rows, stats.totals)
    for unit in units:
        rows = [(s.name, s.counts) for s in unit.sections]
        sheet = wb.create_sheet(sheet_name(unit.name, taken))
        summary_sheet(sheet, _unit_head(stats, unit, request), "股室", rows, unit.counts)
    scope_name = request.organisation_name if request.unit_id is None else units[0].name
    _ledger(wb.create_sheet(LEDGER_SUMMARY_SHEET), stats, request, units, scope_name)
    lines = matter_lines(stats, calendar, request.unit_id, limit=request.matter_limit)
    matter_rows = await matter_sheet(
        wb.create_sheet(MATTER_SHEET),
        f"{scope_name}说“不”事项明细（{stats.quarter.label}）",
        f"{period_note(stats)}　　{request.filters(stats)}",
        lines,
        capped=request.matter_limit,
    )
    buffer = io.BytesIO()
    wb.save(buffer)
    return matter_rows.into(buffer.getvalue())
