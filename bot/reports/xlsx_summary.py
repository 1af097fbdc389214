"""The summary sheets of the quarterly workbook, laid out like the paper 汇总表: a unit's sheet (a
row per section) and the bureau's (a row per unit), each with 填报单位, 负责人 and 填报日期, a
two-row header (能办 by level, 撤回 by reason) and a 合计 row that adds up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.utils import get_column_letter

from bot.reports.stats import Counts
from bot.reports.xlsx_style import (
    HEADER_FILL,
    HOURS_FORMAT,
    TOTAL_FILL,
    Value,
    cell,
    row,
    set_up,
    title_lines,
)
from models.enums import WITHDRAW_REASON_TITLES, WithdrawReason

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

TOTAL = "合计"
LEVEL_HEADERS = ("股室负责人", "分管领导", "主要领导")
# (group, columns): a group of one column spans both header rows.
HEADER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("受理说“不”事项", ("受理说“不”事项",)),
    ("能办", ("小计", *LEVEL_HEADERS)),
    ("确认不能办", ("确认不能办",)),
    ("撤回", ("小计", *(WITHDRAW_REASON_TITLES[r] for r in WithdrawReason))),
    ("在办（季末）", ("在办（季末）",)),
    ("逾期未回复", ("逾期未回复",)),
    ("平均决定用时（工作小时）", ("平均决定用时（工作小时）",)),
)
FIGURES = sum(len(columns) for _, columns in HEADER_GROUPS)
COLUMNS = 1 + FIGURES
HOURS_COLUMN = COLUMNS  # the last one
HEADER_ROWS = (5, 6)  # after the title, 填报单位 line, 统计期间 line and the filters line
WIDTHS = (24, 12, 8, 11, 10, 10, 11, 8, 13, 8, 8, 11, 11, 14)


@dataclass(frozen=True)
class SummaryHead:
    """What the lines above a summary table say."""

    title: str
    filed_by: str  # 填报单位
    principal: str  # 负责人
    filed_on: str  # 填报日期, e.g. 2027年1月4日
    period: str  # 统计期间 …（数据截至 …）
    filters: str  # 筛选条件 the table was made with


def figures(counts: Counts) -> list[Value]:
    """One row's figures in header order: counts as numbers, hours empty when none decided."""
    avg = counts.avg_decide_hours
    return [
        counts.submitted,
        counts.resolved,
        *(counts.resolved_at_level[level] for level in (2, 3, 4)),
        counts.refused,
        counts.withdrawn,
        *(counts.withdrawn_for[reason] for reason in WithdrawReason),
        counts.pending,
        counts.overdue,
        None if avg is None else round(avg, 4),
    ]


def _header(ws: Worksheet, first_label: str) -> None:
    top, bottom = HEADER_ROWS
    upper: list[Value] = [first_label]
    lower: list[Value] = [None]
    ws.merged_cells.add(f"A{top}:A{bottom}")
    col = 2
    for group, columns in HEADER_GROUPS:
        start, end = get_column_letter(col), get_column_letter(col + len(columns) - 1)
        if len(columns) == 1:
            ws.merged_cells.add(f"{start}{top}:{start}{bottom}")
            upper.append(group)
            lower.append(None)
        else:
            ws.merged_cells.add(f"{start}{top}:{end}{top}")
            upper.extend([group, *([None] * (len(columns) - 1))])
            lower.extend(columns)
        col += len(columns)
    ws.row_dimensions[top].height = 22
    ws.row_dimensions[bottom].height = 32
    for values in (upper, lower):
        ws.append([cell(ws, v, centred=True, bold=True, fill=HEADER_FILL) for v in values])


def summary_sheet(
    ws: Worksheet,
    head: SummaryHead,
    first_label: str,
    rows: Sequence[tuple[str, Counts]],
    total: Counts,
) -> None:
    """A summary table: ``rows`` (a name and its figures) and the 合计 row."""
    set_up(ws, WIDTHS, header_rows=HEADER_ROWS)
    title_lines(
        ws,
        COLUMNS,
        [
            head.title,
            f"填报单位：{head.filed_by}　　负责人：{head.principal or '（未指定）'}　　填报日期：{head.filed_on}",
            head.period,
            f"筛选条件：{head.filters}",
        ],
    )
    _header(ws, first_label)
    formats = {HOURS_COLUMN: HOURS_FORMAT}
    for name, counts in rows:
        ws.append(row(ws, [name, *figures(counts)], first_centred=2, formats=formats))
    ws.append(row(ws, [TOTAL, *figures(total)], first_centred=2, bold=True, fill=TOTAL_FILL, formats=formats))
