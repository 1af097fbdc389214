"""The State Council's holiday schedule as the ``holidays`` package knows it, per year: days off,
make-up workdays (调休上班), and whether the year's official table is known (see ``workdays``)."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAKEUP_WORKDAY = "调休上班"


@dataclass(frozen=True)
class YearSchedule:
    """What the package says about one year: days off on weekdays or weekends, make-up workdays."""

    year: int
    known: bool
    days_off: Mapping[dt.date, str]
    makeup_workdays: Mapping[dt.date, str]


@functools.cache
def official_years() -> frozenset[int]:
    """Years whose official State Council schedule (the 调休 table) the installed package holds."""
    try:
        # Imported here: a later package layout may drop the class, and that must not stop the bot.
        from holidays.countries.china import ChinaStaticHolidays  # noqa: PLC0415
    except ImportError:  # a future package layout: treat every year as unknown, loudly
        log.warning("holidays.countries.china.ChinaStaticHolidays not found; no year counts as known")
        return frozenset()
    return frozenset(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


@functools.lru_cache(maxsize=128)
def package_schedule(year: int) -> YearSchedule:
    """The package's view of one year (pure, immutable, so shared between calendars)."""
    known = year in official_years()
    # Neighbouring years too: a 补假 or a cross-year 调休 (e.g. 29 December worked for the next
    # January's holiday) belongs to the neighbour's table but falls in this year.
    years = [y for y in (year - 1, year, year + 1) if dt.MINYEAR <= y <= dt.MAXYEAR]
    # Imported on the first year asked for, not at start: ~0.07 s of every process's start-up.
    from holidays import country_holidays  # noqa: PLC0415

    try:
        china = country_holidays("CN", years=years, language="zh_CN")
        entries = [(day, str(name)) for day, name in china.items() if day.year == year]
        makeups = sorted(day for day in china.weekend_workdays if day.year == year)
    except Exception:  # no year may crash the bot: fall back to plain weekdays for it
        log.exception("holidays package failed for %s; that year uses plain weekdays", year)
        return YearSchedule(year, False, {}, {})
    days_off = {day: name if known else _estimated(name) for day, name in sorted(entries)}
    return YearSchedule(
        year=year,
        known=known,
        days_off=days_off,
        makeup_workdays={day: _makeup_name(day, days_off) for day in makeups},
    )


def _estimated(name: str) -> str:
    """“春节（推定）”, “春节（补假，推定）”."""
    if name.endswith("）"):
        return f"{name[:-1]}，推定）"
    return f"{name}（推定）"


def _makeup_name(day: dt.date, days_off: Mapping[dt.date, str]) -> str:
    """“调休上班（10月7日休息）”: the package names the day off after the worked day's ISO date."""
    for off_day, name in days_off.items():
        if day.isoformat() in name:
            return f"{MAKEUP_WORKDAY}（{off_day.month}月{off_day.day}日休息）"
    return MAKEUP_WORKDAY


def unknown_year_warning(year: int) -> str:
    """The Chinese warning line for a year whose official schedule the package does not hold."""
    return (
        f"工作日历：holidays 包还没有收录国务院 {year} 年的放假安排。{year} 年暂按周一至周五、"
        f"扣除法定节假日及其补假（标“推定”）计算，未含调休（调休放假和调休上班日都不知道）。"
        f"国务院通知发布后请升级 holidays 包，或用 `tiji holidays set` 逐日录入调休安排。"
    )
