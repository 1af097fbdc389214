"""The matters behind a figure of 分析研判 / 考核: the query parameters their links carry, as one
filter on ``Matter`` (the console's matter list ANDs it with its own filters and the viewer's
scope). What each parameter means is written in the console brief (“analysis filters”) and below;
the figures of `bot.reports.analysis` and `bot.reports.assessment` count exactly these matters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from tortoise.expressions import F, Q, Subquery

from bot.calendar.warnings import office_day_hours
from bot.calendar.workdays import WorkCalendar
from bot.settings import Settings
from models.enums import Action, MatterState, RefusalCategory, StepStatus
from models.matter import DecisionStep

MATTERS_PATH = "/admin/matters"
SETTLING_LEVELS = (2, 3, 4)  # level 1 (首问责任人) raises the would-be “no”; levels 2–4 settle it
ANALYSIS_PARAMS = (
    "year",
    "outcome",
    "settled_level",
    "refusal_category",
    "no_legal_basis",
    "catalog",
    "no_catalog",
    "on_time",
    "step_overdue",
    "step_level",
)
MAX_YEAR = 9998


def step_limit_hours(settings: Settings, calendar: WorkCalendar) -> float:
    """环节时限 in working hours: ``step_working_days`` office days (9 h each by default)."""
    return settings.step_working_days * office_day_hours(calendar)


def year_window(year: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The calendar year as ``[start, end)`` in UTC (local midnights)."""
    start = dt.datetime(year, 1, 1, tzinfo=tz).astimezone(dt.UTC)
    return start, dt.datetime(year + 1, 1, 1, tzinfo=tz).astimezone(dt.UTC)


def submitted_within(start: dt.datetime, end: dt.datetime, prefix: str = "") -> Q:
    """Submitted in ``[start, end)`` (compared in UTC, as stored: SQLite compares the text)."""
    bounds: dict[str, Any] = {
        f"{prefix}submitted_at__gte": start.astimezone(dt.UTC),
        f"{prefix}submitted_at__lt": end.astimezone(dt.UTC),
    }
    return Q(**bounds)


def _decided(prefix: str) -> dict[str, Any]:
    return {f"{prefix}outcome__in": [Action.CAN_DO, Action.CONFIRM_NO]}


def on_time(prefix: str = "") -> Q:
    """Decided by the reply deadline."""
    when: dict[str, Any] = {f"{prefix}decided_at__lte": F(f"{prefix}due_at")}
    return Q(**_decided(prefix)) & Q(**when)


def late(now: dt.datetime, prefix: str = "") -> Q:
    """Decided after the reply deadline, or still pending past it."""
    after: dict[str, Any] = {f"{prefix}decided_at__gt": F(f"{prefix}due_at")}
    decided_late = Q(**_decided(prefix)) & Q(**after)
    waiting: dict[str, Any] = {f"{prefix}state": MatterState.PENDING, f"{prefix}due_at__lt": now}
    return decided_late | Q(**waiting)


def slow_step(limit_hours: float) -> Q:
    """On ``DecisionStep``: a decided step that took more working hours than the limit."""
    return Q(status=StepStatus.DECIDED, working_hours__gt=limit_hours)


def _int(params: Mapping[str, str], name: str, low: int, high: int) -> int:
    raw = params[name].strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"筛选条件 {name} 应为 {low} 到 {high} 的整数，收到“{raw[:20]}”")
    return int(raw)


def _flag(params: Mapping[str, str], name: str) -> bool:
    raw = params[name].strip()
    if raw not in {"0", "1"}:
        raise ValueError(f"筛选条件 {name} 只能是 1 或 0，收到“{raw[:20]}”")
    return raw == "1"


def _steps(params: Mapping[str, str], step_limit: float) -> Q:
    """``step_overdue`` / ``step_level``: the matter has such a decided step."""
    condition = Q(status=StepStatus.DECIDED)
    if "step_overdue" in params and _flag(params, "step_overdue"):
        condition &= slow_step(step_limit)
    if "step_level" in params:
        condition &= Q(level=_int(params, "step_level", 1, 4))
    return Q(id__in=Subquery(DecisionStep.filter(condition).values("matter_id")))


def _outcomes(params: Mapping[str, str]) -> Q:
    where = Q()
    if "outcome" in params:
        raw = params["outcome"].strip()
        if raw not in {Action.CAN_DO.value, Action.CONFIRM_NO.value}:
            raise ValueError(f"筛选条件 outcome 只能是 can_do 或 confirm_no，收到“{raw[:20]}”")
        where &= Q(outcome=Action(raw))
    if "settled_level" in params:
        level = _int(params, "settled_level", 1, 4)
        where &= Q(outcome=Action.CAN_DO, decided_level=level)
    if "refusal_category" in params:
        raw = params["refusal_category"].strip()
        if raw not in RefusalCategory.__members__.values():
            raise ValueError(f"筛选条件 refusal_category 只能是 law、conditions 或 other，收到“{raw[:20]}”")
        where &= Q(outcome=Action.CONFIRM_NO, refusal_category=RefusalCategory(raw))
    if "no_legal_basis" in params and _flag(params, "no_legal_basis"):
        where &= Q(outcome=Action.CONFIRM_NO, policy_basis="")
    return where


def analysis_filter(
    params: Mapping[str, str], *, tz: ZoneInfo, step_limit_hours: float, now: dt.datetime
) -> Q:
    """The matters the parameters of `ANALYSIS_PARAMS` name (others are ignored); ``Q()`` when none.

    Raises ValueError (Chinese, saying what to fix) for a value it cannot read."""
    given = {k: v for k, v in params.items() if k in ANALYSIS_PARAMS and v.strip() != ""}
    where = _outcomes(given)
    if "year" in given:
        start, end = year_window(_int(given, "year", 1, MAX_YEAR), tz)
        where &= submitted_within(start, end)
    if "catalog" in given:
        where &= Q(catalog_item__code=given["catalog"].strip()[:32])
    if "no_catalog" in given and _flag(given, "no_catalog"):
        where &= Q(catalog_item_id__isnull=True)
    if "on_time" in given:
        where &= on_time() if _flag(given, "on_time") else late(now)
    if "step_overdue" in given or "step_level" in given:
        where &= _steps(given, step_limit_hours)
    return where


def matters_link(**params: object) -> str:
    """``/admin/matters?…`` with the parameters given (None and "" left out), in the order given."""
    query = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    return f"{MATTERS_PATH}?{urlencode(query)}" if query else MATTERS_PATH
