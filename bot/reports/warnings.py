"""预警 each week (the pass is `bot.jobs.weekly_warnings`, the card `bot.reports.warning_card`):
every leader (主要领导 of a unit, 分管领导 of a section) gets one card on the first working day of the
week at 09:00 listing the open steps and owed replies in their charge (their units and sections, and
the scope of whom they stand in for that day) that are red (past the deadline) or yellow (at most one
working day left, `bot.calendar.warnings.warn_for`), with one link to the console's list
(``/admin/matters?mine=1&warn=1``). Nothing is sent to a leader with nothing red or yellow.

Once per person per week: ``DutyRun(kind="weekly_warnings", subject="person:<id>", period="2026-W49")``
is written in the same transaction as the card (or alone, when there is nothing to say), so
further passes that week, however many workers run them, send nothing. A week without a working day
has no card; a pass that missed the morning (the worker was down) sends it later that week.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q

from bot.calendar.warnings import Warn, office_day_hours, warn_for
from bot.calendar.workdays import WorkCalendar
from bot.matters.views import LEVEL_TITLES, OPEN_STEP_STATUSES
from models.enums import MatterState
from models.matter import DecisionStep, Matter
from models.org import Department, Person, Unit

WEEKLY_KIND = "weekly_warnings"
WEEKLY_AT = dt.time(9, 0)
OWED = (MatterState.RESOLVED, MatterState.REFUSED)
# Far enough past "one working day from now" that no yellow item is cut off by the SQL prefilter
# (a deadline late on a day after a weekend or a holiday); `warn_for` then decides exactly.
SLACK = dt.timedelta(days=10)


@dataclass(frozen=True)
class WarnItem:
    number: str
    applicant: str
    subject: str
    waiting: str  # “股室负责人 李股长 审批” / “回复申请人”
    due_at: dt.datetime
    warn: Warn


def week_period(day: dt.date) -> str:
    """The ISO week of ``day``: ``2026-W49``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_moment(calendar: WorkCalendar, day: dt.date) -> dt.datetime | None:
    """09:00 of the first working day of ``day``'s week (None: the week has no working day)."""
    monday = day - dt.timedelta(days=day.weekday())
    for offset in range(7):
        candidate = monday + dt.timedelta(days=offset)
        if calendar.is_workday(candidate):
            return calendar.at_local(candidate, WEEKLY_AT)
    return None


async def leader_ids(organisation_id: int) -> list[int]:
    """The active principals of units and deputies of sections (the console's leaders)."""
    ids = set(
        await Unit.filter(organisation_id=organisation_id, principal_id__isnull=False).values_list(
            "principal_id", flat=True
        )
    )
    ids |= set(
        await Department.filter(organisation_id=organisation_id, deputy_id__isnull=False).values_list(
            "deputy_id", flat=True
        )
    )
    active = (
        await Person.filter(
            organisation_id=organisation_id, id__in=sorted(int(str(i)) for i in ids) or [-1], active=True
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    return [int(str(i)) for i in active]


async def warned_items(
    organisation_id: int, scope_q: Q, step_q: Q, calendar: WorkCalendar, now: dt.datetime
) -> list[WarnItem]:
    """The open steps and owed replies in scope that are red or yellow now, most urgent first."""
    horizon = calendar.add_working_hours(now, office_day_hours(calendar)) + SLACK
    items: list[WarnItem] = []
    steps = await DecisionStep.filter(
        step_q,
        status__in=list(OPEN_STEP_STATUSES),
        matter__state=MatterState.PENDING,
        matter__due_at__lte=horizon,
    ).select_related("matter", "approver")
    for step in steps:
        matter: Matter = step.matter
        level = LEVEL_TITLES.get(step.level, f"第{step.level}级")
        items.append(_item(matter, f"{level} {step.approver.name} 审批", calendar, now))
    owed = await Matter.filter(scope_q, state__in=list(OWED), replied_at__isnull=True, due_at__lte=horizon)
    items += [_item(m, "首问责任人回复申请人", calendar, now) for m in owed]
    kept = [i for i in items if i.warn is not Warn.NONE]
    return sorted(kept, key=lambda i: (i.warn is not Warn.RED, i.due_at, i.number))


def _item(matter: Matter, waiting: str, calendar: WorkCalendar, now: dt.datetime) -> WarnItem:
    return WarnItem(
        matter.number,
        matter.applicant,
        matter.subject,
        waiting,
        matter.due_at,
        warn_for(calendar, now, matter.due_at),
    )
