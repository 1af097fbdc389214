"""The quarter's workbook opens with openpyxl and holds, per sheet, the figures of the seeded
quarter: the bureau and each unit like the paper table, and a row per matter; landscape A4."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.calendar.quarters import Quarter
from bot.calendar.workdays import load_calendar
from bot.reports.stats import quarter_stats
from bot.reports.xlsx import TableRequest, quarter_workbook
from bot.reports.xlsx_matters import HEADERS as MATTER_HEADERS
from bot.runtime.resources import Resources
from tests.bot.jobs.test_duties import at
from tests.bot.reports.seeded import WAY_FORWARD, Seeded, seed_quarter

FIRST_ROW = 7  # after the four title lines and the two header rows


@pytest.fixture
async def seeded(resources: Resources) -> Seeded:
    return await seed_quarter()


async def workbook(resources: Resources, seeded: Seeded, **request: object) -> openpyxl.Workbook:
    calendar = await load_calendar(resources.settings, seeded.org.org.id)
    stats = await quarter_stats(seeded.org.org.id, Quarter(2026, 4), calendar)
    made = TableRequest("桐柏县交通运输局", at(2027, 1, 4, 10, 0), **request)  # type: ignore[arg-type]
    return openpyxl.load_workbook(io.BytesIO(await quarter_workbook(stats, calendar, made)))


def rows(sheet: Worksheet, first: int = FIRST_ROW) -> list[list[object]]:
    return [[c.value for c in r] for r in sheet.iter_rows(min_row=first)]


def is_landscape_a4(sheet: Worksheet, header: str) -> bool:
    setup = sheet.page_setup
    fits = sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    return bool(
        setup.orientation == "landscape" and setup.paperSize == 9 and setup.fitToWidth == 1 and fits
        and sheet.print_title_rows == header
    )  # fmt: skip


async def test_the_bureau_sheet_has_a_row_per_unit_and_a_total_that_adds_up(
    resources: Resources, seeded: Seeded
) -> None:
    book = await workbook(resources, seeded)
    assert book.sheetnames == ["全局汇总", "局机关", "公路事业发展中心", "投诉台账汇总", "事项明细"]
    sheet = book["全局汇总"]
    assert sheet["A1"].value == "桐柏县交通运输局说“不”事项提级管理汇总表（2026年第4季度）"
    assert sheet["A2"].value == "填报单位：桐柏县交通运输局　　负责人：张局长　　填报日期：2027年1月4日"
    assert "统计期间：2026年10月01日至2026年12月31日受理的事项" in str(sheet["A3"].value)
    assert sheet["A4"].value == "筛选条件：季度：2026Q4；全部单位"
    assert [c.value for c in sheet[5]][:4] == ["单位", "受理说“不”事项", "能办", None]
    assert [c.value for c in sheet[6]][2:6] == ["小计", "股室负责人", "分管领导", "主要领导"]
    # 单位, 受理, 能办 (小计 L2 L3 L4), 确认不能办, 撤回 (小计 申请人 误报 其他), 在办, 逾期, 平均用时
    bureau, centre, total = rows(sheet)
    assert bureau[:13] == ["局机关", 6, 2, 1, 1, 0, 1, 2, 1, 1, 0, 1, 1]
    assert centre[:13] == ["公路事业发展中心", 4, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 3]
    assert total[:13] == ["合计", 10, 3, 1, 1, 1, 2, 3, 1, 1, 1, 2, 4]
    for figures in (bureau, centre, total):
        assert (
            figures[1] == figures[2] + figures[6] + figures[7] + figures[11]
        )  # 受理 = 能办+不能办+撤回+在办
        assert figures[2] == sum(figures[3:6]) and figures[7] == sum(figures[8:11])
    assert isinstance(total[13], float) and total[13] == pytest.approx((0.2 + 9 + 18 + 18 + 2) / 5)
    assert sheet.cell(FIRST_ROW, 14).number_format == "0.00"
    assert is_landscape_a4(sheet, "$5:$6")


async def test_each_unit_sheet_names_its_principal_and_lists_its_sections(
    resources: Resources, seeded: Seeded
) -> None:
    book = await workbook(resources, seeded)
    sheet = book["公路事业发展中心"]
    assert sheet["A2"].value == "填报单位：公路事业发展中心　　负责人：孙主任　　填报日期：2027年1月4日"
    upkeep, total = rows(sheet)
    assert upkeep[:13] == ["养护股", 4, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 3]
    assert total[0] == "合计" and total[1:13] == upkeep[1:13]
    transport, legal, total = rows(book["局机关"])
    assert transport[:2] == ["运输股", 3] and legal[:2] == ["法规股", 3] and total[:2] == ["合计", 6]
    assert legal[13] == 18 and all(isinstance(v, int | float) for v in legal[1:14])  # no “—” among numbers
    assert is_landscape_a4(sheet, "$5:$6")


async def test_the_matter_sheet_has_a_row_per_matter_with_each_level_and_the_reply(
    resources: Resources, seeded: Seeded
) -> None:
    book = await workbook(resources, seeded)
    sheet = book["事项明细"]
    assert [c.value for c in sheet[4]] == list(MATTER_HEADERS)
    lines = {r[0]: dict(zip(MATTER_HEADERS, r, strict=True)) for r in rows(sheet, 5)}
    ms = seeded.matters
    assert len(lines) == 10 and ms["q3"].number not in lines
    quick = lines[ms["quick"].number]
    assert quick["受理时间"] == dt.datetime(2026, 11, 2, 9, 0)
    assert quick["股室负责人意见"] == "能办（李股长）"
    assert quick["股室负责人决定时间"] == dt.datetime(2026, 11, 2, 9, 12)
    assert quick["股室负责人用时（工作小时）"] == pytest.approx(0.2)
    assert quick["分管领导意见"] is None and quick["分管领导用时（工作小时）"] is None
    assert quick["结果（截至统计时点）"] == "能办（股室负责人）"
    assert quick["回复方式"] == "电话" and quick["逾期（工作日）"] == 0
    refused = lines[ms["refused"].number]
    assert refused["股室负责人意见"] == "提级（周股长）" and refused["主要领导意见"] == "确认不能办（张局长）"
    assert refused["说“行”建议"] == WAY_FORWARD and refused["回复方式"] == "书面"
    assert refused["主要领导用时（工作小时）"] == pytest.approx(16.0)
    deputy = lines[ms["deputy"].number]
    assert deputy["分管领导意见"] == "能办（王副局长）" and deputy["回复时间"] is None
    assert isinstance(deputy["逾期（工作日）"], int) and deputy["逾期（工作日）"] > 10  # never replied
    pending = lines[ms["pending"].number]
    assert pending["结果（截至统计时点）"] == "在办（股室负责人审批中）"
    assert pending["股室负责人意见"] == "审批中（李股长）" and pending["逾期（工作日）"] is None
    assert lines[ms["misreport"].number]["结果（截至统计时点）"] == "撤回（误报）"
    assert lines[ms["misreport"].number]["逾期（工作日）"] is None
    assert is_landscape_a4(sheet, "$4:$4")


async def test_one_units_workbook_has_only_its_sheets_and_says_the_filter(
    resources: Resources, seeded: Seeded
) -> None:
    book = await workbook(resources, seeded, unit_id=seeded.org.centre.id)
    assert book.sheetnames == ["公路事业发展中心", "投诉台账汇总", "事项明细"]
    assert book["公路事业发展中心"]["A4"].value == "筛选条件：季度：2026Q4；单位：公路事业发展中心"
    assert {r[2] for r in rows(book["事项明细"], 5)} == {"公路事业发展中心"}


async def test_a_capped_matter_sheet_says_where_the_rest_is(resources: Resources, seeded: Seeded) -> None:
    book = await workbook(resources, seeded, matter_limit=3)
    sheet = book["事项明细"]
    assert len(rows(sheet, 5)) == 3
    assert "本表最多列出 3 件" in str(sheet["A2"].value)


def test_a_row_with_nothing_decided_leaves_the_hours_cell_empty() -> None:
    from bot.reports.stats import Counts
    from bot.reports.xlsx_summary import figures

    values = figures(Counts(submitted=1, pending=1))
    assert values[-1] is None and "—" not in values
