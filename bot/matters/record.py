"""The whole record of one matter as its page shows it (``/m/matters/{number}``): what was asked and
why it would be refused, the catalog item's legal basis and time limit, each level's decision and
研判意见 with name and time (additions included), the deadline with the working hours left, the
reply record, the withdrawal and the 催办 so far. Read-only; times are local strings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.calendar.workdays import load_calendar
from bot.matters.closing import withdraw_words
from bot.matters.co_departments import co_departments_of
from bot.matters.nudge import NUDGE_ACTION
from bot.matters.watchlist import OPEN_STATES, format_working_time, where_it_waits
from bot.matters.workflow import LEVEL_TITLES, STATE_TITLES, MatterState
from bot.settings import Settings
from bot.texts import format_local
from models.audit import AuditEntry
from models.catalog import CatalogItem
from models.enums import (
    ACTION_TITLES,
    ADDITION_KIND_TITLES,
    REFUSAL_CATEGORY_TITLES,
    REPLY_METHOD_TITLES,
    Action,
    AdditionKind,
    RefusalCategory,
    ReplyMethod,
    StepStatus,
)
from models.matter import Addition, DecisionStep, Matter, ReplyRecord
from models.org import Department, Person

URGENT_HOURS = 4.0  # under this many working hours left, the deadline is shown red
STEP_WORDS = {
    StepStatus.PENDING: "待审批",
    StepStatus.AWAITING_TEXT: "已选确认不能办，待填写理由",
    StepStatus.SUPERSEDED: "已结束",
    StepStatus.OVERDUE: "逾期未答复",
}


@dataclass(frozen=True)
class AdditionLine:
    kind: str  # 理由 / 说“行”建议 / 意见
    text: str
    by: str
    at: str


@dataclass(frozen=True)
class LevelLine:
    """One step: who (a stand-in with the leader), what they decided and said, and when."""

    step_id: int
    level: int
    level_title: str
    who: str
    status: str  # 能办 / 提级 / 确认不能办, or 待审批 …
    decided: bool
    comment_label: str  # 研判意见, or 不能办理由 for a refusal
    comment: str
    way_forward: str
    category: str
    at: str  # decided at, else opened at
    additions: tuple[AdditionLine, ...] = ()


@dataclass(frozen=True)
class ReplyLine:
    method: str
    callee_phone: str
    content: str
    by: str
    at: str


@dataclass(frozen=True)
class Deadline:
    due: str
    hours_left: float  # negative: overdue by so many working hours
    words: str  # 「剩余 1 个工作日 2 小时」 / 「已逾期 3 小时」
    urgent: bool  # under ``URGENT_HOURS`` left (or overdue)


@dataclass(frozen=True)
class MatterRecord:
    matter: Matter
    state_title: str
    submitter: Person
    department: Department
    submitted_at: str
    catalog_item: CatalogItem | None
    co_departments: tuple[str, ...]
    waits_for: str
    deadline: Deadline | None  # None once closed or withdrawn
    levels: tuple[LevelLine, ...]
    replies: tuple[ReplyLine, ...]
    withdrawn: str  # the reason as people read it, or ""
    withdrawn_at: str
    nudges: tuple[str, ...] = field(default_factory=tuple)  # 「时间 催办 名字」

    @property
    def replied(self) -> bool:
        return bool(self.replies)


async def record_of(matter: Matter, settings: Settings, now: dt.datetime) -> MatterRecord:
    """Everything the page shows about ``matter`` at ``now``."""
    tz = settings.tz
    submitter = await Person.get(id=matter.submitter_id)
    department = await Department.get(id=matter.department_id)
    item = await CatalogItem.get_or_none(id=matter.catalog_item_id) if matter.catalog_item_id else None
    state = MatterState(matter.state)
    nudges = await AuditEntry.filter(
        organisation_id=matter.organisation_id, subject=matter.number, action=NUDGE_ACTION
    ).order_by("seq")
    return MatterRecord(
        matter=matter,
        state_title=STATE_TITLES[state],
        submitter=submitter,
        department=department,
        submitted_at=format_local(matter.submitted_at, tz),
        catalog_item=item,
        co_departments=tuple(d.name for d in await co_departments_of(matter)),
        waits_for=await where_it_waits(matter) if state in OPEN_STATES else "",
        deadline=await _deadline(matter, settings, now) if state in OPEN_STATES else None,
        levels=await _levels(matter, submitter, tz),
        replies=await _replies(matter, tz),
        withdrawn=withdraw_words(matter) if state is MatterState.WITHDRAWN else "",
        withdrawn_at=format_local(matter.withdrawn_at, tz),
        nudges=tuple(f"{format_local(n.at, tz)} 催办 {n.data.get('holders', '')}" for n in nudges),
    )


async def _deadline(matter: Matter, settings: Settings, now: dt.datetime) -> Deadline:
    calendar = await load_calendar(settings, matter.organisation_id, today=now.astimezone(settings.tz).date())
    if now >= matter.due_at:
        hours = -calendar.working_hours_between(matter.due_at, now)
        words = f"已逾期 {format_working_time(hours, settings)}"
    else:
        hours = calendar.working_hours_between(now, matter.due_at)
        words = f"剩余 {format_working_time(hours, settings)}"
    return Deadline(format_local(matter.due_at, settings.tz), hours, words, hours < URGENT_HOURS)


async def _levels(matter: Matter, submitter: Person, tz: dt.tzinfo) -> tuple[LevelLine, ...]:
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("id")
    additions = await Addition.filter(matter_id=matter.id).order_by("added_at", "id")
    ids = {submitter.id}
    ids.update(i for s in steps for i in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) if i)
    ids.update(a.person_id for a in additions)
    names = {p.id: p.name for p in await Person.filter(id__in=list(ids))}
    first = LevelLine(
        step_id=0, level=1, level_title=LEVEL_TITLES[1], who=submitter.name, status="提交",
        decided=True, comment_label="", comment="", way_forward="", category="",
        at=format_local(matter.submitted_at, tz),
    )  # fmt: skip
    lines = [first]
    for step in steps:
        added = tuple(
            AdditionLine(ADDITION_KIND_TITLES[AdditionKind(a.kind)], a.text, names.get(a.person_id, ""),
                         format_local(a.added_at, tz))
            for a in additions if a.step_id == step.id
        )  # fmt: skip
        lines.append(_level_line(step, names, tz, added))
    return tuple(lines)


def _level_line(
    step: DecisionStep, names: dict[int, str], tz: dt.tzinfo, added: tuple[AdditionLine, ...]
) -> LevelLine:
    decided = step.status == StepStatus.DECIDED and step.decision is not None
    actor = step.decided_by_id if decided and step.decided_by_id else step.approver_id
    leader = step.on_behalf_of_id
    who = names.get(actor, "")
    if leader is not None and leader != actor:
        who += f"（代 {names.get(leader, '')}）"
    refusal = step.decision == Action.CONFIRM_NO or step.status == StepStatus.AWAITING_TEXT
    category = RefusalCategory(step.refusal_category) if step.refusal_category else None
    return LevelLine(
        step_id=step.id,
        level=step.level,
        level_title=LEVEL_TITLES.get(step.level, str(step.level)),
        who=who,
        status=ACTION_TITLES[Action(step.decision)] if decided else STEP_WORDS[StepStatus(step.status)],
        decided=decided,
        comment_label="不能办理由" if refusal else "研判意见",
        comment=step.comment,
        way_forward=step.way_forward,
        category=REFUSAL_CATEGORY_TITLES[category] if category else "",
        at=format_local(step.decided_at if decided else step.opened_at, tz),
        additions=added,
    )


async def _replies(matter: Matter, tz: dt.tzinfo) -> tuple[ReplyLine, ...]:
    rows = await ReplyRecord.filter(matter_id=matter.id).order_by("recorded_at", "id")
    names = {p.id: p.name for p in await Person.filter(id__in=[r.recorded_by_id for r in rows])}
    return tuple(
        ReplyLine(
            REPLY_METHOD_TITLES[ReplyMethod(r.method)],
            r.callee_phone,
            r.content,
            names.get(r.recorded_by_id, ""),
            format_local(r.recorded_at, tz),
        )
        for r in rows
    )
