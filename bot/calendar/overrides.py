"""Admin operations on the working-day calendar: `tiji holidays list|set` and the config check.

The functions return Chinese text for the CLI to print and raise ``ValueError`` with a Chinese
message saying what to fix; a rejected input stores nothing. They run inside an open tortoise
connection (the caller opens the database).
"""

from __future__ import annotations

import datetime as dt
import re

from bot.calendar.schedule import unknown_year_warning
from bot.calendar.workdays import WEEKDAY_NAMES, WorkCalendar, load_calendar
from bot.settings import Settings
from models.calendar import HolidayOverride
from models.org import Organisation

NOTE_MAX_LENGTH = 200  # HolidayOverride.note

_KINDS: dict[str, bool | None] = {
    "workday": True,
    "上班": True,
    "工作日": True,
    "holiday": False,
    "休息": False,
    "放假": False,
    "clear": None,
    "清除": None,
}

_DATE_PATTERNS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)


def parse_day(text: str) -> dt.date:
    """A date written as 2026-10-01, 2026/10/1, 2026.10.1, 2026年10月1日 or 20261001."""
    cleaned = text.strip()
    for pattern in _DATE_PATTERNS:
        if match := pattern.fullmatch(cleaned):
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise ValueError(f"日期“{text}”不存在，请检查年、月、日。") from None
    raise ValueError(f"看不懂日期“{text}”，请写成 2026-10-01 这样的格式。")


def parse_kind(text: str) -> bool | None:
    """True for a working day, False for a day off, None to remove the override."""
    key = text.strip().lower()
    if key not in _KINDS:
        raise ValueError(
            f"不认识的类型“{text}”，请写 workday（上班）、holiday（休息）或 clear（清除人工调整）。"
        )
    return _KINDS[key]


def _label(day: dt.date) -> str:
    return f"{day.isoformat()}（{WEEKDAY_NAMES[day.weekday()]}）"


def _kind_word(is_workday: bool) -> str:
    return "上班" if is_workday else "休息"


async def _organisation(code: str) -> Organisation:
    organisation = await Organisation.get_or_none(code=code.strip())
    if organisation is None:
        raise ValueError(f"没有编号为 {code} 的单位，请用 `tiji org export` 查看已有的单位编号。")
    return organisation


def _national_arrangement(settings: Settings, day: dt.date) -> str:
    """What the day is without any override: “上班”, or “休息（国庆节）”."""
    calendar = WorkCalendar.from_settings(settings)
    names = {entry_day: name for entry_day, name, _ in calendar.holidays_in(day.year)}
    word = _kind_word(calendar.is_workday(day))
    return f"{word}（{names[day]}）" if day in names else word


async def list_holidays(settings: Settings, organisation_code: str, year: int) -> list[str]:
    """The year's holidays, make-up workdays and this organisation's overrides, one line each."""
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(f"年份 {year} 不对，请写四位数的年份，例如 2026。")
    organisation = await _organisation(organisation_code)
    calendar = await load_calendar(settings, organisation.id)
    notes = dict(
        await HolidayOverride.filter(
            organisation_id=organisation.id, date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31)
        ).values_list("date", "note")
    )
    lines = [f"{organisation.name}（{organisation.code}）{year} 年工作日历"]
    if calendar.is_known_year(year):
        lines.append(f"国务院 {year} 年放假安排：holidays 包已收录。")
    else:
        lines.append(unknown_year_warning(year))
    entries = calendar.holidays_in(year)
    for day, name, is_workday in entries:
        note = notes.get(day)
        lines.append(f"{_label(day)} {_kind_word(is_workday)}  {name}" + (f"  备注：{note}" if note else ""))
    overridden = sum(1 for day in calendar.overrides if day.year == year)
    lines.append(f"共 {len(entries)} 天，其中人工调整 {overridden} 天；其余周一至周五上班、周六周日休息。")
    return lines


async def set_holiday(settings: Settings, organisation_code: str, day: str, kind: str, note: str = "") -> str:
    """Mark one day as a working day or a day off for the organisation, or clear its override.

    Idempotent: setting the same day again updates the row; clearing a day without an override
    says so and changes nothing.
    """
    date = parse_day(day)
    is_workday = parse_kind(kind)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"备注太长（{len(note)} 字），最多 {NOTE_MAX_LENGTH} 字。")
    organisation = await _organisation(organisation_code)
    national = _national_arrangement(settings, date)
    if is_workday is None:
        deleted = await HolidayOverride.filter(organisation_id=organisation.id, date=date).delete()
        if not deleted:
            return f"{organisation.name}：{_label(date)}没有人工调整，无需清除；按国家安排：{national}。"
        return f"{organisation.name}：已清除 {_label(date)}的人工调整，恢复国家安排：{national}。"
    await HolidayOverride.update_or_create(
        defaults={"is_workday": is_workday, "note": note}, organisation_id=organisation.id, date=date
    )
    return f"{organisation.name}：已把 {_label(date)}设为{_kind_word(is_workday)}（国家安排：{national}）。"


def calendar_warnings(settings: Settings, today: dt.date) -> list[str]:
    """Warning lines for `tiji check-config`: the current or next year unknown to the package."""
    calendar = WorkCalendar.from_settings(settings)
    return [unknown_year_warning(year) for year in calendar.unknown_years((today.year, today.year + 1))]


def override_values(row: HolidayOverride | None) -> dict[str, object]:
    """An override as the audit log records it (empty: none)."""
    if row is None:
        return {}
    return {"date": row.date.isoformat(), "kind": _kind_word(row.is_workday), "note": row.note}


async def save_override(
    organisation_id: int, day: str, kind: str, note: str = ""
) -> tuple[dt.date, dict[str, object], dict[str, object]]:
    """The console's 日历: set (``workday`` / ``holiday``) or ``clear`` one day's override of the
    organisation. Returns the day and the override before → after (for the audit log); raises
    ``ValueError`` (Chinese) on a bad day, kind or note, storing nothing."""
    date = parse_day(day)
    is_workday = parse_kind(kind)
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValueError(f"备注太长（{len(note)} 字），最多 {NOTE_MAX_LENGTH} 字。")
    if "\x00" in note:
        raise ValueError("备注含有无法保存的字符，请重新输入。")
    if is_workday is not None and not note:
        raise ValueError("请写明调整的依据，例如：县政府通知 2027 年春节调休。")
    row = await HolidayOverride.get_or_none(organisation_id=organisation_id, date=date)
    before = override_values(row)
    if is_workday is None:
        if row is None:
            raise ValueError(f"{_label(date)}没有人工调整，无需清除。")
        await row.delete()
        return date, before, {}
    if row is None:
        row = HolidayOverride(organisation_id=organisation_id, date=date, is_workday=is_workday, note=note)
    row.is_workday, row.note = is_workday, note
    await row.save()
    return date, before, override_values(row)
