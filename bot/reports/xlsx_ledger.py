"""The quarterly workbook's 投诉台账汇总 sheet: the ledger's figures of the quarter (登记, 答疑, 交办
and what became of it, 督办, 移送纪检组) per unit (the bureau's workbook, with the complaints never
assigned on a row of their own) or per section (a unit's), and a 合计 row that adds up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.reports.ledger_figures import LedgerCounts
from bot.reports.xlsx_style import HEADER_FILL, TOTAL_FILL, Value, cell, row, set_up, title_lines

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

LEDGER_SUMMARY_SHEET = "投诉台账汇总"
UNASSIGNED = "未交办（活动办公室）"
HEADERS = (
    "登记投诉", "答疑（不属受理范围）", "交办股室", "并单", "待分流", "按时办结", "逾期办结", "超期未办结",
    "办理中", "督办（无事项登记即说“不”）", "移送纪检组",
)  # fmt: skip
HEADER_ROW = 4
WIDTHS = (24, *(11,) * len(HEADERS))


def ledger_figures(counts: LedgerCounts) -> list[Value]:
    """One row's figures in header order."""
    return [
        counts.received, counts.answered, counts.assigned, counts.merged, counts.untriaged,
        counts.done_on_time, counts.done_late, counts.overdue, counts.in_progress, counts.supervised,
        counts.referred,
    ]  # fmt: skip


def ledger_sheet(
    ws: Worksheet, title: str, note: str, first_label: str, rows: Sequence[tuple[str, LedgerCounts]]
) -> None:
    """The sheet: ``rows`` (a name and its figures) and their 合计."""
    set_up(ws, WIDTHS, header_rows=(HEADER_ROW, HEADER_ROW))
    title_lines(ws, 1 + len(HEADERS), [title, note,
                "登记 = 答疑 + 交办 + 并单 + 待分流；交办 = 按时办结 + 逾期办结 + 超期未办结 + 办理中"])  # fmt: skip
    ws.row_dimensions[HEADER_ROW].height = 44
    ws.append([cell(ws, h, centred=True, bold=True, fill=HEADER_FILL) for h in (first_label, *HEADERS)])
    total = LedgerCounts()
    for name, counts in rows:
        ws.append(row(ws, [name, *ledger_figures(counts)], first_centred=2))
        total.add(counts)
    ws.append(row(ws, ["合计", *ledger_figures(total)], first_centred=2, bold=True, fill=TOTAL_FILL))
