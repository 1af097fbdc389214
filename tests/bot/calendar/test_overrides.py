"""`tiji holidays list|set` and the check-config warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calendar.overrides import calendar_warnings, list_holidays, parse_day, set_holiday
from bot.calendar.schedule import official_years
from bot.settings import Settings
from models.calendar import HolidayOverride
from models.org import Organisation


@pytest.fixture
async def org(db: None) -> Organisation:
    return await Organisation.create(code="xx-jtj", name="某县交通运输局")


async def overrides() -> list[tuple[dt.date, bool, str]]:
    rows = await HolidayOverride.all().order_by("date").values_list("date", "is_workday", "note")
    return [(day, bool(is_workday), note) for day, is_workday, note in rows]


async def test_set_a_saturday_as_workday_and_again_updates_in_place(
    settings: Settings, org: Organisation
) -> None:
    line = await set_holiday(settings, "xx-jtj", "2026-12-05", "workday", "年底集中办公")
    assert line == "某县交通运输局：已把 2026-12-05（周六）设为上班（国家安排：休息）。"
    assert await overrides() == [(dt.date(2026, 12, 5), True, "年底集中办公")]

    await set_holiday(settings, "xx-jtj", "2026-12-05", "上班", "改期")
    assert await overrides() == [(dt.date(2026, 12, 5), True, "改期")]
    await set_holiday(settings, "xx-jtj", "2026-12-05", "休息")
    assert await overrides() == [(dt.date(2026, 12, 5), False, "")]


async def test_set_names_the_national_arrangement_it_overrides(settings: Settings, org: Organisation) -> None:
    line = await set_holiday(settings, "xx-jtj", "2026/10/10", "holiday", "本局不调休")
    assert (
        line
        == "某县交通运输局：已把 2026-10-10（周六）设为休息（国家安排：上班（调休上班（10月7日休息）））。"
    )


async def test_clear_removes_the_override_and_is_idempotent(settings: Settings, org: Organisation) -> None:
    await set_holiday(settings, "xx-jtj", "2026-12-01", "holiday", "停电")
    line = await set_holiday(settings, "xx-jtj", "2026-12-01", "clear")
    assert line == "某县交通运输局：已清除 2026-12-01（周二）的人工调整，恢复国家安排：上班。"
    assert await overrides() == []
    again = await set_holiday(settings, "xx-jtj", "2026-12-01", "清除")
    assert "没有人工调整，无需清除" in again
    assert await overrides() == []


async def test_overrides_belong_to_one_organisation(settings: Settings, org: Organisation) -> None:
    other = await Organisation.create(code="yy-jtj", name="另一县交通运输局")
    await set_holiday(settings, "xx-jtj", "2026-12-01", "holiday")
    await set_holiday(settings, "yy-jtj", "2026-12-01", "workday")
    assert await HolidayOverride.filter(organisation=org).values_list("is_workday", flat=True) == [False]
    assert await HolidayOverride.filter(organisation=other).values_list("is_workday", flat=True) == [True]
    await set_holiday(settings, "xx-jtj", "2026-12-01", "clear")
    assert await HolidayOverride.filter(organisation=other).count() == 1


@pytest.mark.parametrize(
    ("day", "kind", "message"),
    [
        ("2026-13-01", "holiday", "日期“2026-13-01”不存在"),
        ("2026-02-30", "holiday", "不存在"),
        ("明天", "holiday", "看不懂日期“明天”，请写成 2026-10-01"),
        ("10/01/2026", "holiday", "看不懂日期"),
        ("2026-12-01", "maybe", "不认识的类型“maybe”，请写 workday（上班）、holiday（休息）或 clear"),
        ("2026-12-01", "", "不认识的类型"),
    ],
)
async def test_bad_input_is_refused_and_nothing_stored(
    settings: Settings, org: Organisation, day: str, kind: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        await set_holiday(settings, "xx-jtj", day, kind)
    assert await overrides() == []


async def test_unknown_organisation_is_refused_and_nothing_stored(
    settings: Settings, org: Organisation
) -> None:
    with pytest.raises(ValueError, match="没有编号为 nope 的单位"):
        await set_holiday(settings, "nope", "2026-12-01", "holiday")
    with pytest.raises(ValueError, match="没有编号为 nope 的单位"):
        await list_holidays(settings, "nope", 2026)
    assert await overrides() == []


async def test_too_long_a_note_is_refused(settings: Settings, org: Organisation) -> None:
    with pytest.raises(ValueError, match="备注太长（201 字），最多 200 字"):
        await set_holiday(settings, "xx-jtj", "2026-12-01", "holiday", "长" * 201)
    assert await overrides() == []


async def test_list_shows_the_official_year_with_overrides_and_notes(
    settings: Settings, org: Organisation
) -> None:
    await set_holiday(settings, "xx-jtj", "2026-12-01", "holiday", "停电检修")
    await set_holiday(settings, "xx-jtj", "2026-10-10", "holiday")
    await set_holiday(settings, "xx-jtj", "2027-01-04", "holiday")  # another year: not listed
    lines = await list_holidays(settings, "xx-jtj", 2026)
    assert lines[0] == "某县交通运输局（xx-jtj）2026 年工作日历"
    assert lines[1] == "国务院 2026 年放假安排：holidays 包已收录。"
    assert "2026-10-01（周四） 休息  国庆节" in lines
    assert "2026-09-20（周日） 上班  调休上班（10月6日休息）" in lines
    assert "2026-10-10（周六） 休息  人工调整为休息（原：调休上班（10月7日休息））" in lines
    assert "2026-12-01（周二） 休息  人工调整为休息  备注：停电检修" in lines
    assert not any(line.startswith("2027") for line in lines)
    assert lines[-1] == "共 29 天，其中人工调整 2 天；其余周一至周五上班、周六周日休息。"


async def test_list_of_an_unknown_year_says_so(settings: Settings, org: Organisation) -> None:
    lines = await list_holidays(settings, "xx-jtj", 2035)
    assert "还没有收录国务院 2035 年的放假安排" in lines[1]
    assert "2035-10-01（周一） 休息  国庆节（推定）" in lines


async def test_list_rejects_an_impossible_year(settings: Settings, org: Organisation) -> None:
    with pytest.raises(ValueError, match="年份 0 不对"):
        await list_holidays(settings, "xx-jtj", 0)


def test_parse_day_accepts_common_ways_of_writing_a_date() -> None:
    for text in ("2026-10-01", "2026/10/1", "2026.10.01", "2026年10月1日", "20261001", " 2026-10-01 "):
        assert parse_day(text) == dt.date(2026, 10, 1), text


def test_calendar_warnings_for_check_config() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert calendar_warnings(settings, dt.date(2025, 6, 1)) == []
    far = calendar_warnings(settings, dt.date(2035, 6, 1))
    assert len(far) == 2
    assert "国务院 2035 年的放假安排" in far[0] and "国务院 2036 年的放假安排" in far[1]
    assert "tiji holidays set" in far[0]
    december = calendar_warnings(settings, dt.date(2026, 12, 1))
    assert december == ([] if 2027 in official_years() else [far[0].replace("2035", "2027")])
