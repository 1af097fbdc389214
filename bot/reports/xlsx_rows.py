"""The many rows of a streamed sheet (the 事项明细) written as SpreadsheetML text, then put into the
workbook openpyxl saved: the same cells, styles and values openpyxl would write, without its
objects.

Why: openpyxl's streaming mode builds two cell objects, an exception and an XML element for every
cell (~70 µs each on the bench machine): the 3,000 rows × 25 columns of the summary's 事项明细 were
most of the quarterly summary's time. A row here is one string; the styles are still openpyxl's
(each look is registered once through `bot.reports.xlsx_style.cell`, so the ids mean the same).
The rows go to a temporary file (spilled to disk past `IN_MEMORY`), so memory stays bounded however
many rows the console's full download has.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from bot.reports.xlsx_style import TIME_FORMAT, Value, cell

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

IN_MEMORY = 8 * 1024 * 1024  # bytes of rows kept in memory before they spill to a temporary file
MAX_TEXT = 32767  # characters in a cell (Excel's limit)
SHEET_DATA_END = b"</sheetData>"
ZIP64_FROM = 1 << 30  # bytes of rows past which the sheet's entry is written with zip64 sizes


class SheetRows:
    """Rows appended after those openpyxl wrote to ``ws`` (whose last row is ``first_row - 1``);
    `into` puts them into the saved workbook."""

    def __init__(self, ws: Worksheet, first_row: int) -> None:
        self.ws = ws
        self.count = 0
        self._next = first_row
        self._styles: dict[tuple[bool, str | None], int] = {}
        self._columns: list[str] = []
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115 - closed by `into`

    def _style(self, centred: bool, number_format: str | None) -> int:
        """The workbook's style id of a bordered table cell of this look (registered once)."""
        key = (centred, number_format)
        if key not in self._styles:
            self._styles[key] = cell(self.ws, None, centred=centred, number_format=number_format).style_id
        return self._styles[key]

    def _cell(self, ref: str, value: Value, centred: bool, number_format: str | None) -> str:
        if value is None or value == "":  # an empty cell, bordered (openpyxl writes "" so too)
            return f'<c r="{ref}" s="{self._style(centred, number_format)}"/>'
        if isinstance(value, dt.datetime):  # shown as the local time it is (as `xlsx_style.cell`)
            serial = to_excel(value.replace(tzinfo=None))  # type: ignore[no-untyped-call]  # (untyped in the stubs)
            style = self._style(centred, number_format or TIME_FORMAT)
            return f'<c r="{ref}" s="{style}" t="n"><v>{safe_string(serial)}</v></c>'
        style = self._style(centred, number_format)
        if isinstance(value, bool):
            return f'<c r="{ref}" s="{style}" t="b"><v>{int(value)}</v></c>'
        if isinstance(value, int | float):
            return f'<c r="{ref}" s="{style}" t="n"><v>{safe_string(value)}</v></c>'
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_TEXT]
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'

    def append(self, values: Sequence[Value], *, first_centred: int, formats: dict[int, str]) -> None:
        """One row, as `bot.reports.xlsx_style.row` makes it: every cell bordered, columns from
        ``first_centred`` (1-based) centred, ``formats`` the number format of some columns."""
        while len(self._columns) < len(values):
            self._columns.append(get_column_letter(len(self._columns) + 1))
        number = self._next
        cells = "".join(
            self._cell(f"{self._columns[i]}{number}", value, i + 1 >= first_centred, formats.get(i + 1))
            for i, value in enumerate(values)
        )
        self._file.write(f'<row r="{number}">{cells}</row>'.encode())
        self._next += 1
        self.count += 1

    def into(self, workbook: bytes) -> bytes:
        """``workbook`` (saved by openpyxl, this sheet's rows left out) with the rows in their sheet."""
        path = self.ws.path.lstrip("/")  # set when the workbook is saved
        out = io.BytesIO()
        with self._file, zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename != path:
                    target.writestr(info, data)
                    continue
                head, tail = _split(data)
                large = self._file.seek(0, io.SEEK_END) > ZIP64_FROM
                with target.open(info, "w", force_zip64=large) as entry:
                    entry.write(head)
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, entry)
                    entry.write(tail)
        return out.getvalue()


def _split(sheet: bytes) -> tuple[bytes, bytes]:
    """The sheet's XML before and from the end of its rows (``<sheetData/>`` opened if empty)."""
    end = sheet.rfind(SHEET_DATA_END)
    if end >= 0:
        return sheet[:end], sheet[end:]
    empty = sheet.index(b"<sheetData/>")
    return sheet[:empty] + b"<sheetData>", SHEET_DATA_END + sheet[empty + len(b"<sheetData/>") :]
