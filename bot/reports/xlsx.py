"""《说“不”事项提级管理汇总表》 as an .xlsx workbook (openpyxl), from a quarter's figures.

Written in openpyxl's streaming mode (``write_only``): rows go to the file as they are appended,
so the memory it takes follows the rows of the table (a row per section), never the matters.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.reports.stats import Counts, QuarterStats
from models.enums import WITHDRAW_REASON_TITLES, WithdrawReason

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

Value = str | float | None

HEADERS = (
    "单位",
    "股室",
    "受理说“不”事项数",
    "股室负责人能办",
    "分管领导能办",
    "主要领导能办",
    "确认不能办",
    "撤回",
    *(f"其中：{WITHDRAW_REASON_TITLES[reason]}" for reason in WithdrawReason),
    "逾期未回复",
    "平均决定用时(工作小时)",
)
FIRST_FIGURE_COLUMN = 3  # after 单位 and 股室, the figures are centred
WIDTHS = (22, 18, 16, 14, 14, 14, 12, 8, 14, 10, 10, 12, 22)
TITLE_ROW = 1
NOTE_ROW = 2
HEADER_ROW = 3
SUBTOTAL = "小计"
TOTAL = "合计"

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(vertical="center", wrap_text=True)


def _figures(counts: Counts) -> list[Value]:
    avg = counts.avg_decide_hours
    return [
        counts.submitted,
        counts.resolved_at_level[2],
        counts.resolved_at_level[3],
        counts.resolved_at_level[4],
        counts.refused,
        counts.withdrawn,
        *(counts.withdrawn_for[reason] for reason in WithdrawReason),
        counts.overdue,
        "—" if avg is None else avg,
    ]


def _row(
    ws: WriteOnlyWorksheet, values: Iterable[Value], *, bold: bool = False, fill: PatternFill | None = None
) -> list[Cell]:
    """A table row: every cell bordered, the figures centred."""
    cells = []
    for col, value in enumerate(values, start=1):
        cell = WriteOnlyCell(ws, value=value)
        cell.border = _BORDER
        cell.alignment = _CENTER if col >= FIRST_FIGURE_COLUMN else _LEFT
        if bold:
            cell.font = Font(bold=True)
        if fill is not None:
            cell.fill = fill
        cells.append(cell)
    return cells


def _table_rows(ws: WriteOnlyWorksheet, stats: QuarterStats) -> Iterable[list[Cell]]:
    """A row per section, a 小计 row per unit, the 合计 row."""
    for unit in stats.units:
        for section in unit.sections:
            yield _row(ws, [unit.name, section.name, *_figures(section.counts)])
        yield _row(ws, [unit.name, SUBTOTAL, *_figures(unit.counts)], bold=True, fill=_SUBTOTAL_FILL)
    yield _row(ws, [TOTAL, None, *_figures(stats.totals)], bold=True, fill=_SUBTOTAL_FILL)


def _note(stats: QuarterStats) -> str:
    first, last = stats.quarter.first_day, stats.quarter.last_day
    note = f"统计期间：{first:%Y年%m月%d日}至{last:%Y年%m月%d日}"
    if not stats.complete:
        note += f"（本季度尚未结束，数据截至 {stats.cutoff.astimezone(stats.tz):%Y-%m-%d %H:%M}）"
    return note


def summary_workbook(stats: QuarterStats, organisation_name: str) -> bytes:
    """The quarter's 汇总表: a row per section, a 小计 row per unit, a 合计 row; header frozen."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(str(stats.quarter))
    # In streaming mode the sheet's layout is set before its first row is written.
    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.row_dimensions[HEADER_ROW].height = 32
    last_col = get_column_letter(len(HEADERS))
    ws.merged_cells.add(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    ws.merged_cells.add(f"A{NOTE_ROW}:{last_col}{NOTE_ROW}")
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    title = WriteOnlyCell(ws, value=f"{organisation_name}说“不”事项提级管理汇总表（{stats.quarter.label}）")
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.append([title])
    note = WriteOnlyCell(ws, value=_note(stats))
    note.alignment = Alignment(horizontal="left")
    ws.append([note])
    ws.append(_row(ws, HEADERS, bold=True, fill=_HEADER_FILL))
    for row in _table_rows(ws, stats):
        ws.append(row)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
