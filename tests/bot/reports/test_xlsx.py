"""The 汇总表 workbook opens with openpyxl and holds the right cells."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl

from bot.calendar.quarters import Quarter
from bot.reports.stats import Counts, QuarterStats, SectionStats, UnitStats
from bot.reports.xlsx import HEADERS, summary_workbook
from models.enums import WithdrawReason

SHANGHAI = ZoneInfo("Asia/Shanghai")


def counts(submitted: int, l2: int, l3: int, l4: int, refused: int, withdrawn: tuple[int, int, int],
           overdue: int, hours: list[float]) -> Counts:  # fmt: skip
    """``withdrawn``: by reason, 申请人撤回申请 / 误报 / 其他."""
    return Counts(
        submitted=submitted,
        resolved_at_level={2: l2, 3: l3, 4: l4},
        refused=refused,
        withdrawn_for=dict(zip(WithdrawReason, withdrawn, strict=True)),
        overdue=overdue,
        decided=len(hours),
        decide_hours=sum(hours),
    )


def stats(complete: bool = True) -> QuarterStats:
    q = Quarter(2026, 4)
    end = q.end_at(SHANGHAI)
    cutoff = end if complete else dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
    return QuarterStats(
        organisation_id=1,
        quarter=q,
        cutoff=cutoff,
        complete=complete,
        tz=SHANGHAI,
        units=[
            UnitStats(1, "jg", "局机关", [
                SectionStats(1, "ys", "运输股", counts(4, 1, 1, 0, 0, (1, 0, 0), 1, [2.0, 9.0])),
                SectionStats(2, "fg", "法规股", counts(3, 0, 0, 0, 1, (0, 1, 1), 0, [18.0])),
            ]),
            UnitStats(2, "gl", "公路事业发展中心", [
                SectionStats(3, "yh", "养护股", counts(0, 0, 0, 0, 0, (0, 0, 0), 0, [])),
            ]),
        ],
    )  # fmt: skip


def values(sheet: object, row: int) -> list[object]:
    return [sheet.cell(row=row, column=c).value for c in range(1, len(HEADERS) + 1)]  # type: ignore[attr-defined]


def test_workbook_has_title_headers_rows_subtotals_and_total() -> None:
    book = openpyxl.load_workbook(io.BytesIO(summary_workbook(stats(), "桐柏县交通运输局")))
    sheet = book.active
    assert sheet is not None and sheet.title == "2026Q4"
    assert sheet["A1"].value == "桐柏县交通运输局说“不”事项提级管理汇总表（2026年第4季度）"
    assert {"A1:M1", "A2:M2"} <= {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "统计期间：2026年10月01日至2026年12月31日"
    assert values(sheet, 3) == [
        "单位", "股室", "受理说“不”事项数", "股室负责人能办", "分管领导能办", "主要领导能办",
        "确认不能办", "撤回", "其中：申请人撤回申请", "其中：误报", "其中：其他", "逾期未回复",
        "平均决定用时(工作小时)",
    ]  # fmt: skip
    assert values(sheet, 4) == ["局机关", "运输股", 4, 1, 1, 0, 0, 1, 1, 0, 0, 1, 5.5]
    assert values(sheet, 5) == ["局机关", "法规股", 3, 0, 0, 0, 1, 2, 0, 1, 1, 0, 18]
    assert values(sheet, 6) == ["局机关", "小计", 7, 1, 1, 0, 1, 3, 1, 1, 1, 1, 9.7]
    assert values(sheet, 7) == ["公路事业发展中心", "养护股", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "—"]
    assert values(sheet, 8) == ["公路事业发展中心", "小计", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "—"]
    assert values(sheet, 9) == ["合计", None, 7, 1, 1, 0, 1, 3, 1, 1, 1, 1, 9.7]
    assert sheet.max_row == 9
    assert sheet.freeze_panes == "A4"
    assert sheet["A3"].font.bold and sheet["C9"].font.bold and not sheet["C4"].font.bold
    assert sheet["A1"].font.size == 16 and sheet.row_dimensions[3].height == 32
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.column_dimensions["A"].width >= 20 and sheet.column_dimensions["M"].width >= 20


def test_running_quarter_says_so() -> None:
    book = openpyxl.load_workbook(io.BytesIO(summary_workbook(stats(complete=False), "某局")))
    sheet = book.active
    assert sheet is not None
    assert "本季度尚未结束，数据截至 2026-11-30 09:00" in str(sheet["A2"].value)
