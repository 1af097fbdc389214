"""/admin/calendar: the year as month grids, overrides with a note (audited) that change the
working-day math at once, and a warning for the years the holidays package does not cover."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.calendar.workdays import load_calendar
from bot.runtime.resources import Resources
from models.calendar import HolidayOverride
from tests.handlers.web.console.org_support import client_of, console_audits, example_org, post_form
from tests.support.console import HTML


def cell(text: str, day: str) -> str:
    match = re.search(rf'<td class="([^"]+)" data-date="{day}"', text)
    assert match, day
    return match.group(1)


async def test_the_grid_shows_national_day_off_and_the_makeup_working_day(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        response = await client.get("/admin/calendar?year=2026", headers=HTML)
        text = await response.text()
    assert response.status == 200 and "2026 年工作日历" in text
    assert "off" in cell(text, "2026-10-01").split() and "holiday" in cell(text, "2026-10-01").split()
    assert cell(text, "2026-12-01") == "work"
    assert "makeup" in cell(text, "2026-10-10").split()  # 国庆 调休: Saturday 10 October works


async def test_an_override_with_a_note_changes_the_working_day_math_and_is_audited(
    resources: Resources,
) -> None:
    await example_org()
    settings = resources.settings
    org_id = await _org_id()
    before = (await load_calendar(settings, org_id)).add_working_days(dt.date(2026, 12, 4), 1)
    assert before == dt.date(2026, 12, 7)
    async with client_of(resources, "jiangtao") as client:
        data = {"date": "2026-12-07", "kind": "holiday", "note": "县政府通知：全县停电检修"}
        response = await post_form(client, "/admin/calendar", "/admin/calendar", data)
        assert response.status == 303
        text = await (await client.get("/admin/calendar?year=2026", headers=HTML)).text()
    assert "override" in cell(text, "2026-12-07").split() and "全县停电检修" in text
    after = (await load_calendar(settings, org_id)).add_working_days(dt.date(2026, 12, 4), 1)
    assert after == dt.date(2026, 12, 8)
    [row] = await console_audits("calendar.override")
    assert row.data["before"] == {} and row.data["after"] == {
        "date": "2026-12-07", "kind": "休息", "note": "县政府通知：全县停电检修"
    }  # fmt: skip

    async with client_of(resources, "jiangtao") as client:
        clear = {"date": "2026-12-07", "kind": "clear"}
        assert (await post_form(client, "/admin/calendar", "/admin/calendar", clear)).status == 303
    assert not await HolidayOverride.exists()
    assert [r.data["after"] for r in await console_audits("calendar.override")][-1] == {}


async def _org_id() -> int:
    from models.org import Organisation

    return (await Organisation.get(code="tongbai-jt")).id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-02-30", "kind": "holiday", "note": "x"}, "日期“2026-02-30”不存在"),
        ({"date": "明天", "kind": "holiday", "note": "x"}, "看不懂日期“明天”"),
        ({"date": "2026-12-07", "kind": "holiday", "note": ""}, "请写明调整的依据"),
        ({"date": "2026-12-07", "kind": "sometimes", "note": "x"}, "不认识的类型"),
        ({"date": "2026-12-07", "kind": "clear"}, "没有人工调整，无需清除"),
        ({"date": "2026-12-07", "kind": "workday", "note": "长" * 201}, "备注太长"),
    ],
)
async def test_a_bad_override_is_refused_in_chinese_and_nothing_is_stored(
    resources: Resources, data: dict[str, str], message: str
) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        response = await post_form(client, "/admin/calendar", "/admin/calendar", data)
        text = await response.text()
    assert response.status == 400 and message in text
    assert not await HolidayOverride.exists() and not await console_audits("calendar.override")


async def test_years_the_package_does_not_cover_are_flagged(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        text = await (await client.get("/admin/calendar?year=2099", headers=HTML)).text()
        known = await (await client.get("/admin/calendar?year=2025", headers=HTML)).text()
    assert "warning-banner" in text and "国务院 2099 年的放假安排" in text
    assert "国务院 2025 年的放假安排" not in known


async def test_a_note_is_shown_escaped(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "zhouwenbin") as client:
        data = {"date": "2026-12-26", "kind": "workday", "note": '"><script>alert(1)</script>'}
        await post_form(client, "/admin/calendar", "/admin/calendar", data)
        text = await (await client.get("/admin/calendar?year=2026", headers=HTML)).text()
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text


async def test_readers_cannot_change_the_calendar_and_staff_cannot_see_it(resources: Resources) -> None:
    await example_org()
    async with client_of(resources, "tangweidong") as client:
        page = await client.get("/admin/calendar", headers=HTML)
        assert page.status == 200 and "保存调整" not in await page.text()
        response = await client.post(
            "/admin/calendar", data={"date": "2026-12-07", "kind": "holiday"}, headers=HTML
        )
        assert response.status == 403
    async with client_of(resources, "zhangwei") as client:
        assert (await client.get("/admin/calendar", headers=HTML)).status == 403
        assert (await client.get("/admin/calendar?year=abc", headers=HTML)).status == 403
    async with client_of(resources, "zhouwenbin") as client:
        assert (await client.get("/admin/calendar?year=99999999999", headers=HTML)).status == 400
        no_token = await client.post(
            "/admin/calendar", data={"date": "2026-12-07", "kind": "holiday"}, headers=HTML
        )
        assert no_token.status == 403
    assert not await HolidayOverride.exists()
