"""The matters list's filters that the figures of 分析研判, 考核 and the weekly 预警 link with
(`bot.reports.analysis_filters.ANALYSIS_PARAMS`, plus ``warn=1`` and ``mine=1``), read once for
the list: the condition, the parameters its paging must carry, and the words printed with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from tortoise.expressions import Q

from bot.calendar.warnings import office_day_hours
from bot.calendar.workdays import WorkCalendar
from bot.reports.analysis_filters import ANALYSIS_PARAMS, analysis_filter
from models.enums import MatterState

# A step still open (pending) or the reply still owed (resolved / refused): these can be late.
OWING = (MatterState.PENDING, MatterState.RESOLVED, MatterState.REFUSED)

# The list's own filters (`bot.matters.search.MatterFilter`) carry these already.
OWN = frozenset({"outcome"})
EXTRA_PARAMS = (*(p for p in ANALYSIS_PARAMS if p not in OWN), "warn", "mine")
WORDS = {
    "year": "年度",
    "settled_level": "能办层级",
    "refusal_category": "不能办类别",
    "no_legal_basis": "未引用政策依据",
    "catalog": "清单事项",
    "no_catalog": "未关联清单",
    "on_time": "按时办结",
    "step_overdue": "环节超时",
    "step_level": "超时层级",
    "warn": "预警（一个工作日内到期或已逾期）",
    "mine": "我负责的",
}


@dataclass(frozen=True)
class ListExtras:
    where: Q = field(default_factory=Q)
    params: Mapping[str, str] = field(default_factory=dict)
    words: str = ""


def list_extras(
    query: Mapping[str, str], *, calendar: WorkCalendar, step_limit_hours: float, now: dt.datetime
) -> ListExtras:
    """The extra filters of ``query``; raises ValueError (Chinese, what to fix) for a bad value.

    ``warn=1``: a step still open or a reply still owed, with at most one working day left or past
    the deadline (the dashboard's yellow and red, the weekly 预警 card's items). ``mine=1``: the viewer's own scope, which the list applies to
    every viewer anyway (a leader's units and sections), so it only names the list."""
    given = {k: query[k].strip() for k in EXTRA_PARAMS if k in query and query[k].strip()}
    where = analysis_filter(given, tz=calendar.tz, step_limit_hours=step_limit_hours, now=now)
    if given.get("warn") not in (None, "0", "1"):
        raise ValueError(f"筛选条件 warn 只能是 1，收到“{given['warn'][:20]}”")
    if given.get("warn") == "1":
        soon = calendar.add_working_hours(now, office_day_hours(calendar))
        where &= Q(state__in=list(OWING), due_at__lte=soon)
    words = "；".join(f"{WORDS.get(k, k)}：{'是' if v == '1' else v}" for k, v in given.items())
    return ListExtras(where, given, words)
