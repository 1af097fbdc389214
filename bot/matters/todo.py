"""“我的待办” (``/m/todo``): the open steps a person holds now, most urgent first (by the working
hours left before the matter's deadline), the replies they owe applicants, and their recent matters.

Holding follows `bot.matters.holders`: a leader's step is theirs unless a stand-in holds it now, and
a stand-in holds the steps of the leaders they stand in for today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tortoise.expressions import Q

from bot.calendar.workdays import WorkCalendar
from bot.matters.chain import standing_in_for
from bot.matters.holders import open_step_holders
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, STATE_TITLES, MatterState, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Person

URGENT_HOURS = 4.0  # under this many working hours left, a step shows red
WHOLE_HOURS = 10.0  # from this many hours left, whole hours are enough
RECENT = 10  # how many of my latest matters the page lists
OWED_STATES = (MatterState.RESOLVED, MatterState.REFUSED)  # decided, the applicant not yet answered


@dataclass(frozen=True)
class StepItem:
    """One open step I hold."""

    number: str
    subject: str
    applicant: str
    level: str
    due_at: dt.datetime
    hours_left: float  # working hours until the deadline (0 once it has passed)
    overdue: bool
    awaiting_text: bool  # 确认不能办 chosen, the reason and 说“行”建议 still to give
    on_behalf_of: str  # the leader's name when I hold it as their stand-in, else ""

    @property
    def urgent(self) -> bool:
        return self.overdue or self.hours_left < URGENT_HOURS

    @property
    def left_text(self) -> str:
        """“剩 3.5 工时” / “已逾期”."""
        return "已逾期" if self.overdue else f"剩 {hours_text(self.hours_left)} 工时"


@dataclass(frozen=True)
class MatterItem:
    """A matter of mine (a reply I owe, or a recent one)."""

    number: str
    subject: str
    applicant: str
    state: str
    at: dt.datetime  # decided (a reply owed) or submitted (recent)


@dataclass(frozen=True)
class Todo:
    steps: list[StepItem]
    replies: list[MatterItem]
    recent: list[MatterItem]


def hours_text(hours: float) -> str:
    """Working hours to one decimal under ``WHOLE_HOURS`` (without a trailing ``.0``), else whole."""
    rounded = round(hours, 1)
    return f"{rounded:g}" if rounded < WHOLE_HOURS else str(round(rounded))


def step_item(
    step: DecisionStep, matter: Matter, calendar: WorkCalendar, now: dt.datetime, on_behalf_of: str = ""
) -> StepItem:
    return StepItem(
        number=matter.number,
        subject=matter.subject,
        applicant=matter.applicant,
        level=LEVEL_TITLES.get(step.level, f"第{step.level}级"),
        due_at=matter.due_at,
        hours_left=calendar.working_hours_between(now, matter.due_at),
        overdue=matter.due_at <= now,
        awaiting_text=step.status == StepStatus.AWAITING_TEXT,
        on_behalf_of=on_behalf_of,
    )


async def held_steps(person: Person, now: dt.datetime, tz: dt.tzinfo) -> list[tuple[DecisionStep, Matter]]:
    """The open steps of pending matters ``person`` holds at ``now`` (one query for the
    candidates — mine as the leader, or of the leaders I stand in for today — then the holder rule
    for each candidate's matter)."""
    acting_for = list(await standing_in_for(person.id, now.astimezone(tz).date()))
    mine = Q(approver_id=person.id) | Q(on_behalf_of_id=person.id)
    if acting_for:
        mine |= Q(approver_id__in=acting_for) | Q(on_behalf_of_id__in=acting_for)
    candidates = await DecisionStep.filter(
        mine,
        organisation_id=person.organisation_id,
        status__in=list(OPEN_STEP_STATUSES),
        matter__state=MatterState.PENDING,
    ).select_related("matter")
    held: list[tuple[DecisionStep, Matter]] = []
    holders_of: dict[int, dict[int, int]] = {}
    for step in candidates:
        matter: Matter = step.matter
        if matter.id not in holders_of:
            holders_of[matter.id] = await open_step_holders(matter, now, tz=tz)
        if holders_of[matter.id].get(step.id) == person.id:
            held.append((step, matter))
    return held


async def todo_for(person: Person, calendar: WorkCalendar, now: dt.datetime) -> Todo:
    """Everything ``/m/todo`` shows for ``person`` at ``now``."""
    held = await held_steps(person, now, calendar.tz)
    leaders = {s.on_behalf_of_id or s.approver_id for s, _ in held} - {person.id}
    names = {p.id: p.name for p in await Person.filter(id__in=leaders)} if leaders else {}
    steps = [
        step_item(s, m, calendar, now, names.get(s.on_behalf_of_id or s.approver_id, "")) for s, m in held
    ]
    steps.sort(key=lambda item: (item.due_at, item.number))
    owed = await Matter.filter(
        organisation_id=person.organisation_id, submitter_id=person.id, state__in=list(OWED_STATES)
    ).order_by("decided_at", "id")
    recent = (
        await Matter.filter(organisation_id=person.organisation_id, submitter_id=person.id)
        .order_by("-submitted_at", "-id")
        .limit(RECENT)
    )
    return Todo(
        steps=steps,
        replies=[_matter_item(m, m.decided_at or m.submitted_at) for m in owed],
        recent=[_matter_item(m, m.submitted_at) for m in recent],
    )


def _matter_item(matter: Matter, at: dt.datetime) -> MatterItem:
    return MatterItem(
        number=matter.number,
        subject=matter.subject,
        applicant=matter.applicant,
        state=STATE_TITLES[MatterState(matter.state)],
        at=at,
    )
