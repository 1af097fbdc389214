"""年度绩效考核: a year's figures per unit, section and person (policy §三.3), counted by the database.

Over the matters **submitted** in the year (within the viewer's scope):

- matters (受理; a person: those they submitted as 首问责任人) and decided steps (a person: the steps
  they held);
- 能办率 at each level: of the steps decided at that level, the share decided 能办;
- refusals (确认不能办; a person: those they confirmed);
- overdue steps: decided over the step limit, lapsed 会商 (逾期未答复), or still open after the
  matter's deadline; overdue replies: decided matters answered after the deadline or not yet by it;
- average working hours per level (stored ``DecisionStep.working_hours``);
- reminders received in the year (the 催办 ladder and submitters' 催办 that reached the person:
  outbox rows ``reminder:…`` / ``nudge:…``, not the ``…:up`` 请督促 copies);
- complaints against them: the 台账's complaints assigned to the section in the year (merged ones
  left out; `bot.complaints.counts.complaints_against`), summed per unit, and for a person those of
  the section they head (the 股室负责人 answers for the section's complaints); 差评 likewise: those
  of them rated 不满意 / 非常不满意 whose 申诉 was not upheld (`bad_ratings_against`);
- 移送纪检组: the 纪检组's cases referred in the year, counted like complaints (the case's section,
  its unit, the section's head); 责任追究: decisions dated in the year (not 经查不予追究) against the
  person, their section and unit (`bot.discipline.counts`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import F, Q
from tortoise.functions import Count, Sum

from bot.complaints.counts import bad_ratings_against, complaints_against
from bot.discipline.counts import decisions_per_person, referred_per_section
from bot.matters.watchlist import Scope
from bot.reports.analysis import scoped
from bot.reports.analysis_filters import (
    SETTLING_LEVELS,
    matters_link,
    slow_step,
    submitted_within,
    year_window,
)
from bot.reports.ranking import as_float, average, share
from models.enums import Action, StepStatus
from models.matter import DecisionStep, Matter
from models.messaging import OutboxMessage
from models.org import Department, Person, Unit

OPEN = (StepStatus.PENDING, StepStatus.AWAITING_TEXT)
REMINDER_PREFIXES = ("reminder:", "nudge:")


@dataclass
class LevelFigures:
    decided: int = 0
    can_do: int = 0
    hours: float = 0.0

    @property
    def can_do_rate(self) -> float | None:
        return share(self.can_do, self.decided)

    @property
    def avg_hours(self) -> float | None:
        return average(self.hours, self.decided)


@dataclass
class AssessmentRow:
    label: str
    group: str  # the unit (for a section or a person), "" for a unit
    matters: int = 0
    steps: int = 0
    refused: int = 0
    overdue_steps: int = 0
    overdue_replies: int = 0
    reminders: int = 0
    complaints: int | None = None  # set by `_count_complaints` (the 台账's complaints)
    bad_ratings: int | None = None  # 差评 among them (`_count_complaints`)
    referred: int = 0  # 移送纪检组 (`_count_discipline`)
    accountable: int = 0  # 责任追究 decisions
    levels: dict[int, LevelFigures] = field(
        default_factory=lambda: {lv: LevelFigures() for lv in SETTLING_LEVELS}
    )
    link: str = ""

    def add(self, other: AssessmentRow) -> None:
        for name in ("matters", "steps", "refused", "overdue_steps", "overdue_replies", "reminders", "referred",
                     "accountable"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for level, figures in other.levels.items():
            mine = self.levels[level]
            mine.decided += figures.decided
            mine.can_do += figures.can_do
            mine.hours += figures.hours


@dataclass
class Assessment:
    year: int
    scope_label: str
    units: list[AssessmentRow] = field(default_factory=list)
    sections: list[AssessmentRow] = field(default_factory=list)
    people: list[AssessmentRow] = field(default_factory=list)
    complaints_available: bool = False


def _step_aggregates(now: dt.datetime, limit: float) -> dict[str, Any]:
    decided = Q(status=StepStatus.DECIDED)
    overdue = slow_step(limit) | Q(status=StepStatus.OVERDUE) | Q(status__in=OPEN, matter__due_at__lt=now)
    return {
        "n": Count("id"),
        "decided": Count("id", _filter=decided),
        "can_do": Count("id", _filter=decided & Q(decision=Action.CAN_DO)),
        "refused": Count("id", _filter=decided & Q(decision=Action.CONFIRM_NO)),
        "hours": Sum("working_hours", _filter=decided),
        "overdue": Count("id", _filter=overdue),
    }


async def _step_rows(where: Q, key: str, now: dt.datetime, limit: float) -> list[dict[str, Any]]:
    aggregates = _step_aggregates(now, limit)
    rows: list[dict[str, Any]] = (
        await DecisionStep.filter(where)
        .annotate(**aggregates)
        .group_by(key, "level")
        .values(key, "level", *aggregates)
    )
    return rows


def _late_reply(now: dt.datetime) -> Q:
    decided = Q(outcome__in=[Action.CAN_DO, Action.CONFIRM_NO])
    return decided & (Q(replied_at__gt=F("due_at")) | Q(replied_at__isnull=True, due_at__lt=now))


async def _matter_rows(where: Q, key: str, now: dt.datetime) -> dict[int, dict[str, Any]]:
    rows = (
        await Matter.filter(where)
        .annotate(
            n=Count("id"),
            refused=Count("id", _filter=Q(outcome=Action.CONFIRM_NO)),
            late=Count("id", _filter=_late_reply(now)),
        )
        .group_by(key)
        .values(key, "n", "refused", "late")
    )
    return {int(row[key]): row for row in rows}


def _apply_steps(
    rows: dict[int, AssessmentRow], step_rows: list[dict[str, Any]], key: str, *, refusals: bool
) -> None:
    for raw in step_rows:
        row = rows.get(int(raw[key]))
        if row is None:
            continue
        row.steps += int(raw["decided"])
        row.overdue_steps += int(raw["overdue"])
        if refusals:
            row.refused += int(raw["refused"])
        level = int(raw["level"])
        if level in row.levels:
            figures = row.levels[level]
            figures.decided += int(raw["decided"])
            figures.can_do += int(raw["can_do"])
            figures.hours += as_float(raw["hours"])


async def _reminders(organisation_id: int, start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    reminders = Q(dedupe_key__startswith=REMINDER_PREFIXES[0]) | Q(
        dedupe_key__startswith=REMINDER_PREFIXES[1]
    )
    rows = (
        await OutboxMessage.filter(
            reminders,
            organisation_id=organisation_id,
            person_id__isnull=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .exclude(dedupe_key__endswith=":up")
        .annotate(n=Count("id"))
        .group_by("person_id")
        .values("person_id", "n")
    )
    return {int(r["person_id"]): int(r["n"]) for r in rows}


async def year_assessment(
    organisation_id: int, scope: Scope, year: int, *, tz: ZoneInfo, now: dt.datetime, step_limit_hours: float
) -> Assessment:
    """The year's 考核 figures for ``scope`` (see the module docstring)."""
    start, end = year_window(year, tz)
    cohort = scoped(organisation_id, scope) & submitted_within(start, end)
    steps = scoped(organisation_id, scope, "matter__") & submitted_within(start, end, "matter__")
    units = {u.id: u for u in await Unit.filter(organisation_id=organisation_id).order_by("id")}
    visible = [
        d
        for d in await Department.filter(organisation_id=organisation_id).order_by("unit_id", "id")
        if d.unit_id in units
        and (scope.whole_organisation or d.unit_id in scope.unit_ids or d.id in scope.department_ids)
    ]
    sections = {
        d.id: AssessmentRow(d.name, units[d.unit_id].name, link=matters_link(year=year, department=d.id))
        for d in visible
    }
    for dept_id, raw in (await _matter_rows(cohort, "department_id", now)).items():
        if dept_id in sections:
            sections[dept_id].matters += int(raw["n"])
            sections[dept_id].refused += int(raw["refused"])
            sections[dept_id].overdue_replies += int(raw["late"])
    key = "matter__department_id"
    _apply_steps(sections, await _step_rows(steps, key, now, step_limit_hours), key, refusals=False)
    unit_rows: dict[int, AssessmentRow] = {}
    for dept in visible:
        link = matters_link(year=year, unit=dept.unit_id)
        unit_rows.setdefault(dept.unit_id, AssessmentRow(units[dept.unit_id].name, "", link=link))
        unit_rows[dept.unit_id].add(sections[dept.id])
    people = await _people(organisation_id, cohort, steps, now, step_limit_hours)
    whole_units = {u for u in unit_rows if scope.whole_organisation or u in scope.unit_ids}
    await _count_reminders(organisation_id, (start, end), people, sections, unit_rows, whole_units)
    await _count_complaints(organisation_id, year, visible, sections, unit_rows, people)
    await _count_discipline(organisation_id, year, (start, end), visible, (sections, unit_rows, people))
    return Assessment(
        year,
        scope.label,
        units=list(unit_rows.values()),
        sections=list(sections.values()),
        people=sorted(people.values(), key=lambda r: (r.group, r.label)),
        complaints_available=True,
    )


async def _count_complaints(
    organisation_id: int,
    year: int,
    visible: list[Department],
    sections: dict[int, AssessmentRow],
    units: dict[int, AssessmentRow],
    people: dict[int, AssessmentRow],
) -> None:
    against, bad = (
        await complaints_against(organisation_id, year),
        await bad_ratings_against(organisation_id, year),
    )
    for row in (*sections.values(), *units.values(), *people.values()):
        row.complaints = row.bad_ratings = 0
    for dept in visible:
        n, b = against.get(dept.id, {}).get("total", 0), bad.get(dept.id, 0)
        for owner in (sections[dept.id], units[dept.unit_id], people.get(dept.head_id or 0)):
            if owner is not None:
                owner.complaints, owner.bad_ratings = (
                    (owner.complaints or 0) + n,
                    (owner.bad_ratings or 0) + b,
                )


async def _count_discipline(organisation_id: int, year: int, window: tuple[dt.datetime, dt.datetime],
                            visible: list[Department], rows: tuple[dict[int, AssessmentRow], ...]) -> None:  # fmt: skip
    sections, units, people = rows
    referred = await referred_per_section(organisation_id, *window)
    for dept in visible:
        n = referred.get(dept.id, 0)
        for row in (sections[dept.id], units[dept.unit_id], people.get(dept.head_id or 0)):
            if row is not None:
                row.referred += n
    decisions = await decisions_per_person(organisation_id, dt.date(year, 1, 1), dt.date(year, 12, 31))
    names = {u.id: u.name for u in await Unit.filter(organisation_id=organisation_id)}
    for person in await Person.filter(organisation_id=organisation_id, id__in=sorted(decisions) or [-1]):
        in_view = person.department_id in sections or (
            person.department_id is None and person.unit_id in units
        )
        if not in_view:
            continue
        row = people.setdefault(person.id, AssessmentRow(person.name, names.get(person.unit_id or 0, "")))
        owners = (row, sections.get(person.department_id or 0), units.get(person.unit_id or 0))
        for owner in {id(o): o for o in owners if o is not None}.values():
            owner.accountable += decisions[person.id]


async def _count_reminders(
    organisation_id: int,
    window: tuple[dt.datetime, dt.datetime],
    people: dict[int, AssessmentRow],
    sections: dict[int, AssessmentRow],
    units: dict[int, AssessmentRow],
    whole_units: set[int],
) -> None:
    """Each reminder to its person, their section and their unit (leaders belong to no section)."""
    reminders = await _reminders(organisation_id, *window)
    persons = await Person.filter(organisation_id=organisation_id, id__in=sorted(reminders) or [-1])
    for person in persons:
        count = reminders[person.id]
        if person.id in people:
            people[person.id].reminders += count
        if person.department_id in sections:
            sections[person.department_id].reminders += count
            counted = person.unit_id in units
        else:  # a leader (no section): their unit, when all of it is in view
            counted = person.department_id is None and person.unit_id in whole_units
        if counted and person.unit_id is not None:
            units[person.unit_id].reminders += count


async def _people(
    organisation_id: int, cohort: Q, steps: Q, now: dt.datetime, limit: float
) -> dict[int, AssessmentRow]:
    submitted = await _matter_rows(cohort, "submitter_id", now)
    held = await _step_rows(steps, "approver_id", now, limit)
    ids = set(submitted) | {int(r["approver_id"]) for r in held}
    people: dict[int, AssessmentRow] = {}
    names = defaultdict(str, {u.id: u.name for u in await Unit.filter(organisation_id=organisation_id)})
    for person in await Person.filter(organisation_id=organisation_id, id__in=sorted(ids) or [-1]):
        people[person.id] = AssessmentRow(person.name, names[person.unit_id or 0])
    for person_id, raw in submitted.items():
        if person_id in people:
            people[person_id].matters += int(raw["n"])
            people[person_id].overdue_replies += int(raw["late"])
    _apply_steps(people, held, "approver_id", refusals=True)
    return people
