"""《说“不”事项提级管理汇总表》 as an .xlsx workbook (openpyxl), from a quarter's figures."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from bot.reports.stats import Counts, QuarterStats

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

HEADERS = (
    "单位",
    "股室",
    "受理说“不”事项数",
    "股室负责人能办",
    "分管领导能办",
    "主要领导能办",
    "确认不能办",
    "撤回",
    "逾期未回复",
    "平均决定用时(工作小时)",
)
FIRST_FIGURE_COLUMN = 3  # after 单位 and 股室, the figures are centred
WIDTHS = (22, 18, 16, 14, 14, 14, 12, 8, 12, 22)
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


def _figures(counts: Counts) -> list[object]:
    avg = counts.avg_decide_hours
    return [
        counts.submitted,
        counts.resolved_at_level[2],
        counts.resolved_at_level[3],
        counts.resolved_at_level[4],
        counts.refused,
        counts.withdrawn,
        counts.overdue,
        "—" if avg is None else avg,
    ]


def _append(
    ws: Worksheet, values: list[object], *, bold: bool = False, fill: PatternFill | None = None
) -> None:
    ws.append(values)
    row = ws.max_row
    for col in range(1, len(HEADERS) + 1):
        cell = ws.cell(row=row, column=col)
        cell.border = _BORDER
        cell.alignment = (
            _CENTER if col >= FIRST_FIGURE_COLUMN else Alignment(vertical="center", wrap_text=True)
        )
        if bold:
            cell.font = Font(bold=True)
        if fill is not None:
            cell.fill = fill


def summary_workbook(stats: QuarterStats, organisation_name: str) -> bytes:
    """The quarter's 汇总表: a row per section, a 小计 row per unit, a 合计 row; header frozen."""
    wb = Workbook()
    ws = wb.active
    if ws is None:  # a new workbook always has its first sheet
        raise RuntimeError("openpyxl gave a workbook without a sheet")
    ws.title = str(stats.quarter)

    last_col = get_column_letter(len(HEADERS))
    ws.append([f"{organisation_name}说“不”事项提级管理汇总表（{stats.quarter.label}）"])
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    title = ws.cell(row=TITLE_ROW, column=1)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 30

    first, last = stats.quarter.first_day, stats.quarter.last_day
    note = f"统计期间：{first:%Y年%m月%d日}至{last:%Y年%m月%d日}"
    if not stats.complete:
        note += f"（本季度尚未结束，数据截至 {stats.cutoff.astimezone(stats.tz):%Y-%m-%d %H:%M}）"
    ws.append([note])
    ws.merge_cells(f"A{NOTE_ROW}:{last_col}{NOTE_ROW}")
    ws.cell(row=NOTE_ROW, column=1).alignment = Alignment(horizontal="left")

    _append(ws, list(HEADERS), bold=True, fill=_HEADER_FILL)
    ws.row_dimensions[HEADER_ROW].height = 32

    for unit in stats.units:
        for section in unit.sections:
            _append(ws, [unit.name, section.name, *_figures(section.counts)])
        _append(ws, [unit.name, SUBTOTAL, *_figures(unit.counts)], bold=True, fill=_SUBTOTAL_FILL)
    _append(ws, [TOTAL, "", *_figures(stats.totals)], bold=True, fill=_SUBTOTAL_FILL)

    for index, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
