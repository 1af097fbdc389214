"""年度绩效考核 as an .xlsx workbook: a sheet per unit, section and person rows (openpyxl's streaming
``write_only`` mode, landscape A4). A figure that does not exist (no step decided at a level, no
complaints ledger yet) is an empty cell, never a dash among numbers."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.matters.views import LEVEL_TITLES
from bot.reports.analysis_filters import SETTLING_LEVELS
from bot.reports.assessment import Assessment, AssessmentRow

Value = str | int | float | None

FIGURE_HEADERS = (
    "受理事项",
    "决定环节",
    *(f"{LEVEL_TITLES[level]}能办率(%)" for level in SETTLING_LEVELS),
    "确认不能办",
    "超时环节",
    "逾期回复",
    *(f"{LEVEL_TITLES[level]}平均用时(工作小时)" for level in SETTLING_LEVELS),
    "收到催办",
    "被投诉",
    "差评",
    "移送纪检组",
    "责任追究",
)
# The page's column heads (the full heads are their tooltips): short enough for a phone.
SHORT_HEADERS = (
    "受理",
    "决定环节",
    "股室负责人能办率%",
    "分管领导能办率%",
    "主要领导能办率%",
    "不能办",
    "超时环节",
    "逾期回复",
    "股室负责人用时h",
    "分管领导用时h",
    "主要领导用时h",
    "收到催办",
    "被投诉",
    "差评",
    "移送纪检组",
    "责任追究",
)
SHEETS = (("单位", ("单位",)), ("股室", ("单位", "股室")), ("个人", ("单位", "姓名")))
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def row_figures(row: AssessmentRow) -> list[Value]:
    """A row's figures in the order of `FIGURE_HEADERS` (the page shows the same)."""
    return [
        row.matters,
        row.steps,
        *(row.levels[level].can_do_rate for level in SETTLING_LEVELS),
        row.refused,
        row.overdue_steps,
        row.overdue_replies,
        *(row.levels[level].avg_hours for level in SETTLING_LEVELS),
        row.reminders,
        row.complaints,
        row.bad_ratings,
        row.referred,
        row.accountable,
    ]


def _sheet(
    wb: Workbook, title: str, names: tuple[str, ...], rows: Iterable[AssessmentRow], heading: str
) -> None:
    ws = wb.create_sheet(title)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    for index in range(1, len(names) + len(FIGURE_HEADERS) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 20 if index <= len(names) else 12
    title_cell = WriteOnlyCell(ws, value=heading)
    title_cell.font = Font(bold=True, size=14)
    ws.append([title_cell])
    header = []
    for text in (*names, *FIGURE_HEADERS):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        header.append(cell)
    ws.append(header)
    for row in rows:
        labels: list[Value] = [row.label] if len(names) == 1 else [row.group, row.label]
        ws.append([*labels, *row_figures(row)])


def assessment_workbook(assessment: Assessment, organisation_name: str) -> bytes:
    """The year's 考核 table: sheets 单位, 股室, 个人."""
    wb = Workbook(write_only=True)
    heading = (
        f"{organisation_name}说“不”事项提级管理年度考核（{assessment.year}年，{assessment.scope_label}）"
    )
    rows = {"单位": assessment.units, "股室": assessment.sections, "个人": assessment.people}
    for title, names in SHEETS:
        _sheet(wb, title, names, rows[title], heading)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
