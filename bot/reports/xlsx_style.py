"""What every sheet of the quarterly workbook shares: cell styles, bordered rows, the title lines
and the landscape A4 print setup (openpyxl streaming sheets, ``write_only``)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

# Sheets are typed as ``Worksheet``: the stubs give streaming sheets only part of the layout
# attributes (widths, page setup, merges) that they have at run time.

# A cell's value: numbers stay numbers; an empty cell (None) where a figure does not apply.
Value = str | int | float | dt.datetime | None

HOURS_FORMAT = "0.00"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(vertical="center", wrap_text=True)


def cell(
    ws: Worksheet,
    value: Value,
    *,
    centred: bool = False,
    bold: bool = False,
    fill: PatternFill | None = None,
    number_format: str | None = None,
) -> Cell:
    """A bordered table cell; datetimes are written as the local time they show."""
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
        number_format = number_format or TIME_FORMAT
    made = WriteOnlyCell(ws, value=value)
    # Setting a style attribute makes openpyxl hash the style into the workbook's tables: most of
    # the time of a sheet of thousands of rows. A cell styled like an earlier one of the workbook
    # takes a copy of that one's style indices instead.
    styles = _style_cache(ws)
    key = (centred, bold, fill, number_format)
    known = styles.get(key)
    if known is not None:
        made._style = copy.copy(known)  # type: ignore[attr-defined]  # (the stubs omit it)
        return made
    made.border = BORDER
    made.alignment = CENTER if centred else LEFT
    if bold:
        made.font = Font(bold=True)
    if fill is not None:
        made.fill = fill
    if number_format is not None:
        made.number_format = number_format
    styles[key] = copy.copy(made._style)  # type: ignore[attr-defined]
    return made


def _style_cache(ws: Worksheet) -> dict[tuple[object, ...], Any]:
    """The style indices of the workbook of ``ws`` by cell look (kept on the workbook: the indices
    mean something in that workbook only)."""
    workbook = ws.parent
    cache: dict[tuple[object, ...], Any] | None = getattr(workbook, "_tiji_styles", None)
    if cache is None:
        cache = {}
        setattr(workbook, "_tiji_styles", cache)  # noqa: B010 - an attribute openpyxl does not declare
    return cache


def row(
    ws: Worksheet,
    values: Iterable[Value],
    *,
    first_centred: int,
    bold: bool = False,
    fill: PatternFill | None = None,
    formats: dict[int, str] | None = None,
) -> list[Cell]:
    """A table row: every cell bordered; columns from ``first_centred`` (1-based) centred."""
    return [
        cell(
            ws,
            value,
            centred=col >= first_centred,
            bold=bold,
            fill=fill,
            number_format=(formats or {}).get(col),
        )
        for col, value in enumerate(values, start=1)
    ]


def set_up(ws: Worksheet, widths: Sequence[float], *, header_rows: tuple[int, int]) -> None:
    """Column widths, frozen header, header rows repeated on every page, landscape A4 one page
    wide — all set before the first row (streaming sheets write the layout first)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    first, last = header_rows
    ws.freeze_panes = f"A{last + 1}"
    ws.print_title_rows = f"{first}:{last}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if ws.oddFooter is not None and ws.oddFooter.center is not None:
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def title_lines(ws: Worksheet, columns: int, lines: Sequence[str]) -> None:
    """The title (row 1, large) and the lines under it, each merged across the table."""
    last = get_column_letter(columns)
    for number, text in enumerate(lines, start=1):
        ws.merged_cells.add(f"A{number}:{last}{number}")
        made = WriteOnlyCell(ws, value=text)
        if number == 1:
            ws.row_dimensions[1].height = 30
            made.font = Font(bold=True, size=16)
            made.alignment = Alignment(horizontal="center", vertical="center")
        else:
            made.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        ws.append([made])


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name (31 characters, none of ``[]:*?/\\``) not in ``taken`` (added to it)."""
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'") or "单位"
    candidate, n = clean[:31], 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate
