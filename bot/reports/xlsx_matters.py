"""The per-matter sheet (事项明细) of the quarterly workbook: a row per matter accepted in the
quarter, streamed as the lines are read a chunk at a time (the title and header by openpyxl's
``write_only`` sheet, the rows by `bot.reports.xlsx_rows`)."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import TYPE_CHECKING

from bot.matters.views import LEVEL_TITLES
from bot.reports.figures import LEVELS
from bot.reports.matter_lines import LevelLine, MatterLine
from bot.reports.xlsx_rows import SheetRows
from bot.reports.xlsx_style import HEADER_FILL, HOURS_FORMAT, Value, cell, set_up, title_lines

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

MATTER_SHEET = "事项明细"
LEADING = ("编号", "受理时间", "单位", "股室", "服务对象", "事项", "拟说“不”理由")
LEVEL_COLUMNS = ("意见", "决定时间", "用时（工作小时）")
TRAILING = ("结果（截至统计时点）", "说“行”建议", "回复方式", "回复时间", "逾期（工作日）")
HEADERS: tuple[str, ...] = (
    *LEADING,
    *(f"{LEVEL_TITLES[level]}{column}" for level in LEVELS for column in LEVEL_COLUMNS),
    *TRAILING,
)
HEADER_ROW = 4
WIDTHS = (14, 16, 14, 12, 12, 22, 24, *(16, 16, 9) * len(LEVELS), 18, 22, 8, 16, 9)
# Columns of numbers (hours) and of times, 1-based.
HOURS_COLUMNS = frozenset(len(LEADING) + 3 * i + 3 for i in range(len(LEVELS)))
CENTRED_FROM = 2


def _level(line: LevelLine) -> list[Value]:
    return [line.decision or None, line.at, None if line.hours is None else round(line.hours, 4)]


def line_values(line: MatterLine) -> list[Value]:
    """A matter's row in header order (an empty cell where nothing applies)."""
    return [
        line.number,
        line.submitted_at,
        line.unit,
        line.section,
        line.applicant,
        line.subject,
        line.reason,
        *(value for level in LEVELS for value in _level(line.levels.get(level, LevelLine()))),
        line.result,
        line.way_forward or None,
        line.reply_method or None,
        line.replied_at,
        line.overdue_days,
    ]


async def matter_sheet(
    ws: Worksheet, title: str, note: str, lines: AsyncIterable[MatterLine], *, capped: int | None
) -> SheetRows:
    """Write the sheet; its rows, to put into the saved workbook (`SheetRows.into`). ``capped``: at
    most that many were asked for (said so under the title: the whole list is the console's download)."""
    set_up(ws, WIDTHS, header_rows=(HEADER_ROW, HEADER_ROW))
    cap = f"；本表最多列出 {capped} 件，完整明细请在管理后台“季度报表”下载" if capped else ""
    title_lines(
        ws,
        len(HEADERS),
        [
            title,
            note + cap,
            "用时为工作日办公时间内的工作小时数（12 分钟 = 0.20）；逾期为超过回复期限的工作日数",
        ],
    )
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.append([cell(ws, h, centred=True, bold=True, fill=HEADER_FILL) for h in HEADERS])
    formats = dict.fromkeys(HOURS_COLUMNS, HOURS_FORMAT)
    rows = SheetRows(ws, first_row=HEADER_ROW + 1)
    async for line in lines:
        rows.append(line_values(line), first_centred=len(HEADERS) + 1, formats=formats)
    return rows
