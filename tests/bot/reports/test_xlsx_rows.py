"""The 事项明细's rows written as text read back exactly as openpyxl's own rows of the same values:
the same values (numbers, local times, empty cells), borders, alignment and number formats."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from openpyxl import Workbook

from bot.reports.xlsx_rows import SheetRows
from bot.reports.xlsx_style import HOURS_FORMAT, Value, row

TZ = dt.timezone(dt.timedelta(hours=8))
ROWS: list[list[Value]] = [
    ["B-1", dt.datetime(2026, 11, 2, 9, 12, tzinfo=TZ), "局机关", " 前后有空格 ", "a & b <c>", 0.2, None, 3],
    ["B-2", None, "换\n行", "控制\x01字符", "", 16.0, 12345678901, None],
]
FORMATS = {6: HOURS_FORMAT}


def looks(data: bytes) -> list[list[tuple[object, ...]]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))["rows"]
    return [
        [
            (c.value, c.number_format, c.border.left.style, c.alignment.horizontal, c.alignment.wrap_text)
            for c in r
        ]
        for r in sheet.iter_rows(min_row=2)
    ]


def book(fast: bool) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("rows")
    ws.append(["header"])
    rows = SheetRows(ws, first_row=2)
    for values in ROWS:
        if fast:
            rows.append(values, first_centred=4, formats=FORMATS)
        else:
            plain = [v.replace("\x01", "") if isinstance(v, str) else v for v in values]
            ws.append(row(ws, plain, first_centred=4, formats=FORMATS))
    buffer = io.BytesIO()
    wb.save(buffer)
    return rows.into(buffer.getvalue())


def test_rows_written_as_text_read_back_as_openpyxls_own() -> None:
    fast, slow = looks(book(fast=True)), looks(book(fast=False))
    assert fast == slow
    assert fast[0][1][0] == dt.datetime(2026, 11, 2, 9, 12) and fast[0][3][0] == " 前后有空格 "
    assert fast[1][3][0] == "控制字符"  # a character XML cannot carry is left out, not an error
    assert fast[0][6][0] is None and fast[0][6][2] == "thin"  # an empty cell is still bordered
