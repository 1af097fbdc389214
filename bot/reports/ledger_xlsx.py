"""The complaints ledger as an .xlsx (办不成事投诉台账): one row per complaint with every field and
its outcome, streamed (openpyxl ``write_only``) while `bot.reports.ledger_lines` reads the chunks."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import astuple
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from tortoise.queryset import QuerySet

from bot.reports.ledger_lines import LedgerLine, ledger_lines
from bot.reports.xlsx_style import HEADER_FILL, cell, row, set_up, title_lines
from models.complaints import Complaint

LEDGER_SHEET = "投诉台账"
HEADERS = (
    "编号", "登记时间", "受理渠道", "投诉人", "联系电话", "企业", "投诉内容", "关联事项", "状态", "承办股室",
    "办结期限", "答疑内容", "告知方式", "办结反馈", "延期理由", "并入", "无事项登记即说“不”（督办）",
    "登记人", "最后更新", "移送纪检组", "调查结论", "责任追究", "回访方式·时间", "回访内容", "满意度（好差评）",
    "问题是否解决", "评价来源·时间", "追评", "发回重办（理由·整改期限）", "申诉", "申诉裁定",
)  # fmt: skip
WIDTHS = (14, 16, 10, 10, 14, 18, 36, 14, 10, 12, 16, 28, 12, 28, 20, 14, 10, 12, 16, 28, 28, 24,
          20, 28, 12, 10, 22, 24, 28, 28, 28)  # fmt: skip
HEADER_ROW = 4


def line_values(line: LedgerLine) -> list[str | dt.datetime | None]:
    """A complaint's row in header order (an empty cell where nothing applies)."""
    return [value if value != "" else None for value in astuple(line)]


async def ledger_workbook(query: QuerySet[Complaint], *, title: str, note: str, tz: ZoneInfo) -> bytes:
    """The ledger's workbook for the complaints of ``query`` (scoped and filtered by the caller)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(LEDGER_SHEET)
    set_up(ws, WIDTHS, header_rows=(HEADER_ROW, HEADER_ROW))
    title_lines(
        ws,
        len(HEADERS),
        [title, note, "时间为本地时间；移送纪检组、调查结论、责任追究每案一行；回访至申诉裁定每轮回访一行"],
    )
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.append([cell(ws, h, centred=True, bold=True, fill=HEADER_FILL) for h in HEADERS])
    async for line in ledger_lines(query, tz):
        ws.append(row(ws, line_values(line), first_centred=len(HEADERS) + 1))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
