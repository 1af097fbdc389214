"""分析研判: what the policy is meant to change, per quarter, counted by the database.

Every figure counts the matters **submitted** in the quarter (a cohort: a figure and the list its
link opens, ``/admin/matters?quarter=…&…``, hold the same matters — see
`bot.reports.analysis_filters`), within the viewer's scope:

- would-be “no”s settled 能办, by the level that settled them (the policy wants them settled low),
  against 确认不能办, 撤回 and 在办;
- refusals with no 政策依据 cited;
- 按时办结率: decided by the reply deadline, of those decided or pending past it;
- 环节超时: decided steps that took longer than the step limit (`Settings.step_working_days`), and
  how many of their matters were on time all the same;
- refusals by 事项清单 item and by reason category; 堵点: the sections and items whose matters went
  up to the principal (level 4) most; the slowest levels (stored ``DecisionStep.working_hours``).

Comparisons are fair: rows resting on fewer than 5 matters are shown, not ranked (`ranking`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count, Sum

from bot.calendar.quarters import Quarter
from bot.matters.scoping import matters_in
from bot.matters.views import LEVEL_TITLES
from bot.matters.watchlist import Scope
from bot.reports.analysis_filters import (
    SETTLING_LEVELS,
    late,
    matters_link,
    on_time,
    slow_step,
    submitted_within,
)
from bot.reports.ranking import Ranked, as_float, average, rank, share
from models.catalog import CatalogItem
from models.enums import REFUSAL_CATEGORY_TITLES, Action, MatterState, RefusalCategory, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Department, Unit

TOP = 10  # rows of a 堵点 list


@dataclass
class Figure:
    """One number and the matters behind it."""

    label: str
    value: int
    link: str


@dataclass
class LevelSpeed:
    level: int
    title: str
    steps: int
    avg_hours: float | None
    slow: int  # steps over the step limit
    link: str
    slow_link: str


@dataclass
class QuarterAnalysis:
    quarter: Quarter
    scope_label: str
    step_limit_hours: float
    headline: dict[str, Figure] = field(default_factory=dict)
    settled: list[Figure] = field(default_factory=list)  # 能办 at levels 2, 3, 4
    on_time_rate: float | None = None
    can_do_rate: float | None = None  # 能办 of the decided
    step_overdue_steps: int = 0
    sections: list[Ranked] = field(default_factory=list)  # 按时办结率 per section, ranked fairly
    by_category: list[Figure] = field(default_factory=list)
    by_item: list[Ranked] = field(default_factory=list)
    blocked_sections: list[Ranked] = field(default_factory=list)  # 堵点: reached level 4
    blocked_items: list[Ranked] = field(default_factory=list)
    levels: list[LevelSpeed] = field(default_factory=list)
    slowest: list[Ranked] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return self.headline[key]


def scoped(organisation_id: int, scope: Scope, prefix: str = "") -> Q:
    """The matters of ``organisation_id`` within ``scope`` (its unit or its lead section)."""
    return matters_in(organisation_id, scope, prefix)


def _aggregates(now: dt.datetime) -> dict[str, Any]:
    aggregates: dict[str, Any] = {
        "submitted": Count("id"),
        "can_do": Count("id", _filter=Q(outcome=Action.CAN_DO)),
        "refused": Count("id", _filter=Q(outcome=Action.CONFIRM_NO)),
        "withdrawn": Count("id", _filter=Q(state=MatterState.WITHDRAWN)),
        "pending": Count("id", _filter=Q(state=MatterState.PENDING)),
        "no_basis": Count("id", _filter=Q(outcome=Action.CONFIRM_NO, policy_basis="")),
        "on_time": Count("id", _filter=on_time()),
        "late": Count("id", _filter=late(now)),
        "level4": Count("id", _filter=Q(level=4)),
    }
    for level in SETTLING_LEVELS:
        aggregates[f"settled{level}"] = Count("id", _filter=Q(outcome=Action.CAN_DO, decided_level=level))
    return aggregates


async def _grouped(where: Q, by: str, now: dt.datetime) -> list[dict[str, Any]]:
    aggregates = _aggregates(now)
    rows: list[dict[str, Any]] = (
        await Matter.filter(where).annotate(**aggregates).group_by(by).values(by, *aggregates)
    )
    return rows


def _total(rows: list[dict[str, Any]], keys: Any) -> dict[str, int]:
    return {key: sum(int(row[key]) for row in rows) for key in keys}


async def quarter_analysis(
    organisation_id: int,
    scope: Scope,
    quarter: Quarter,
    *,
    tz: Any,
    now: dt.datetime,
    step_limit_hours: float,
) -> QuarterAnalysis:
    """The quarter's 分析研判 for the matters of ``scope`` (see the module docstring)."""
    cohort = scoped(organisation_id, scope) & submitted_within(quarter.start_at(tz), quarter.end_at(tz))
    result = QuarterAnalysis(quarter, scope.label, step_limit_hours)
    q = str(quarter)
    by_section = await _grouped(cohort, "department_id", now)
    total = _total(by_section, _aggregates(now).keys())
    _headline(result, total, q)
    await _sections(result, organisation_id, by_section, q)
    await _refusals(result, organisation_id, cohort, q)
    await _blocked_items(result, organisation_id, cohort, q)
    await _steps(result, organisation_id, scope, quarter, tz, q)
    return result


def _headline(result: QuarterAnalysis, total: dict[str, int], q: str) -> None:
    decided = total["can_do"] + total["refused"]
    figures = (
        ("submitted", "受理（拟说“不”）", total["submitted"], matters_link(quarter=q)),
        ("can_do", "转为能办", total["can_do"], matters_link(quarter=q, outcome=Action.CAN_DO.value)),
        ("refused", "确认不能办", total["refused"], matters_link(quarter=q, outcome=Action.CONFIRM_NO.value)),
        ("withdrawn", "撤回", total["withdrawn"], matters_link(quarter=q, state=MatterState.WITHDRAWN.value)),
        ("pending", "在办", total["pending"], matters_link(quarter=q, state=MatterState.PENDING.value)),
        ("no_basis", "不能办但未引用政策依据", total["no_basis"], matters_link(quarter=q, no_legal_basis=1)),
        ("on_time", "按时办结", total["on_time"], matters_link(quarter=q, on_time=1)),
        ("late", "超期办结或逾期未办", total["late"], matters_link(quarter=q, on_time=0)),
    )
    result.headline = {key: Figure(label, value, link) for key, label, value, link in figures}
    result.settled = [
        Figure(LEVEL_TITLES[level], total[f"settled{level}"], matters_link(quarter=q, settled_level=level))
        for level in SETTLING_LEVELS
    ]
    result.on_time_rate = share(total["on_time"], total["on_time"] + total["late"])
    result.can_do_rate = share(total["can_do"], decided)


async def _names(model: Any, organisation_id: int, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in await model.filter(organisation_id=organisation_id, id__in=sorted(ids))}


async def _sections(
    result: QuarterAnalysis, organisation_id: int, rows: list[dict[str, Any]], q: str
) -> None:
    departments = await _names(Department, organisation_id, {int(r["department_id"]) for r in rows})
    units = await _names(Unit, organisation_id, {d.unit_id for d in departments.values()})
    on_time_rows, blocked = [], []
    for row in rows:
        dept = departments.get(int(row["department_id"]))
        if dept is None:
            continue
        unit = units.get(dept.unit_id)
        label = f"{unit.name if unit else ''}·{dept.name}"
        judged = int(row["on_time"]) + int(row["late"])
        rate = share(int(row["on_time"]), judged)
        if rate is not None:  # nothing decided or due yet: no rate to compare
            link = matters_link(quarter=q, department=dept.id, on_time=1)
            on_time_rows.append(Ranked(label, rate, judged, link))
        if int(row["level4"]):
            link = matters_link(quarter=q, department=dept.id, level=4)
            blocked.append(Ranked(label, float(row["level4"]), int(row["level4"]), link))
    result.sections = rank(on_time_rows)
    result.blocked_sections = rank(blocked)[:TOP]


async def _refusals(result: QuarterAnalysis, organisation_id: int, cohort: Q, q: str) -> None:
    refused = cohort & Q(outcome=Action.CONFIRM_NO)
    by_category = {
        row["refusal_category"]: int(row["n"])
        for row in await Matter.filter(refused)
        .annotate(n=Count("id"))
        .group_by("refusal_category")
        .values("refusal_category", "n")
    }
    result.by_category = [
        Figure(title, by_category.get(category, 0), matters_link(quarter=q, refusal_category=category.value))
        for category, title in REFUSAL_CATEGORY_TITLES.items()
    ]
    result.by_item = await _per_item(organisation_id, refused, q, outcome=Action.CONFIRM_NO.value)


async def _per_item(organisation_id: int, where: Q, q: str, **link: object) -> list[Ranked]:
    rows = (
        await Matter.filter(where)
        .annotate(n=Count("id"))
        .group_by("catalog_item_id")
        .values("catalog_item_id", "n")
    )
    items = await _names(
        CatalogItem, organisation_id, {int(r["catalog_item_id"]) for r in rows if r["catalog_item_id"]}
    )
    ranked = []
    for row in rows:
        item = items.get(row["catalog_item_id"]) if row["catalog_item_id"] else None
        if item is None:
            ranked.append(
                Ranked(
                    "（未关联事项清单）",
                    float(row["n"]),
                    int(row["n"]),
                    matters_link(quarter=q, no_catalog=1, **link),
                )
            )
        else:
            label = f"{item.code} {item.name}"
            ranked.append(
                Ranked(
                    label, float(row["n"]), int(row["n"]), matters_link(quarter=q, catalog=item.code, **link)
                )
            )
    return rank(ranked)


async def _blocked_items(result: QuarterAnalysis, organisation_id: int, cohort: Q, q: str) -> None:
    result.blocked_items = (await _per_item(organisation_id, cohort & Q(level=4), q, level=4))[:TOP]


async def _steps(
    result: QuarterAnalysis, organisation_id: int, scope: Scope, quarter: Quarter, tz: Any, q: str
) -> None:
    """Average working hours per level and 环节超时, over the decided steps of the cohort."""
    limit = result.step_limit_hours
    steps = scoped(organisation_id, scope, "matter__") & submitted_within(
        quarter.start_at(tz), quarter.end_at(tz), "matter__"
    )
    rows = {
        int(row["level"]): row
        for row in await DecisionStep.filter(steps, status=StepStatus.DECIDED)
        .annotate(n=Count("id"), hours=Sum("working_hours"), slow=Count("id", _filter=slow_step(limit)))
        .group_by("level")
        .values("level", "n", "hours", "slow")
    }
    for level in SETTLING_LEVELS:
        row = rows.get(level, {"n": 0, "hours": None, "slow": 0})
        result.levels.append(
            LevelSpeed(
                level=level,
                title=LEVEL_TITLES[level],
                steps=int(row["n"]),
                avg_hours=average(as_float(row["hours"]), int(row["n"])),
                slow=int(row["slow"]),
                link=matters_link(quarter=q, step_level=level),
                slow_link=matters_link(quarter=q, step_level=level, step_overdue=1),
            )
        )
    result.slowest = rank(
        Ranked(s.title, s.avg_hours or 0.0, s.steps, s.link) for s in result.levels if s.steps
    )
    result.step_overdue_steps = sum(s.slow for s in result.levels)
    slow_matters = Q(id__in=Subquery(DecisionStep.filter(slow_step(limit)).values("matter_id")))
    cohort = scoped(organisation_id, scope) & submitted_within(quarter.start_at(tz), quarter.end_at(tz))
    counts = (
        await Matter.filter(cohort & slow_matters)
        .annotate(n=Count("id"), in_time=Count("id", _filter=on_time()))
        .group_by("organisation_id")
        .values("n", "in_time")
    )
    n = int(counts[0]["n"]) if counts else 0
    in_time = int(counts[0]["in_time"]) if counts else 0
    result.headline["step_overdue"] = Figure("有环节超时的事项", n, matters_link(quarter=q, step_overdue=1))
    result.headline["step_overdue_on_time"] = Figure(
        "其中事项仍按时办结", in_time, matters_link(quarter=q, step_overdue=1, on_time=1)
    )


__all__ = ["Figure", "LevelSpeed", "QuarterAnalysis", "RefusalCategory", "quarter_analysis", "scoped"]
