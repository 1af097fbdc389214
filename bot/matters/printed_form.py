"""《说“不”事项提级管理审批表》 as the console prints it: the matter's fields and each level's
opinion (首问责任人 → 股室负责人 → 分管领导 → 主要领导: decision, 研判意见, name and date), the
final 说“行”建议 and the reply to the applicant. Pure data for the print template."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.matters.co_departments import co_departments_of
from bot.matters.views import LEVEL_TITLES, STATE_TITLES, Level
from models.catalog import CatalogItem
from models.enums import (
    ACTION_TITLES,
    REFUSAL_CATEGORY_TITLES,
    REPLY_METHOD_TITLES,
    Action,
    MatterState,
    RefusalCategory,
    StepStatus,
)
from models.matter import DecisionStep, Matter, ReplyRecord
from models.org import Department, Person, Unit

NOT_REACHED = "（未提级至本级）"
STEP_WAITING = {
    StepStatus.PENDING: "（审批中）",
    StepStatus.AWAITING_TEXT: "（待填写理由）",
    StepStatus.SUPERSEDED: "（未作决定，已结束）",
    StepStatus.OVERDUE: "（逾期未答复）",
}


@dataclass(frozen=True)
class Opinion:
    """One signatory's box of the form."""

    decision: str  # 能办 / 提级 / 确认不能办 / 拟说“不”… or why there is none
    comment: str  # 研判意见 (for level 1, the 拟说不理由)
    name: str
    on_behalf_of: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class LevelBox:
    level: int
    title: str
    opinions: list[Opinion]  # several at 分管领导 when sections consulted (会商)


@dataclass(frozen=True)
class Reply:
    method: str
    content: str
    callee_phone: str
    recorded_by: str
    at: dt.datetime


@dataclass(frozen=True)
class ApprovalForm:
    matter: Matter
    unit: Unit
    department: Department
    submitter: Person
    catalog_item: CatalogItem | None
    co_departments: list[str]
    levels: list[LevelBox]
    state_title: str
    outcome: str  # 能办（股室负责人） / 确认不能办 / 已撤回 / 审批中
    refusal_category: str = ""
    replies: list[Reply] = field(default_factory=list)


def _outcome(matter: Matter) -> str:
    if matter.outcome == Action.CAN_DO and matter.decided_level:
        return f"能办（{LEVEL_TITLES.get(matter.decided_level, '')}审定）"
    if matter.outcome == Action.CONFIRM_NO:
        return "确认不能办（主要领导审定）"
    return STATE_TITLES[MatterState(matter.state)]


def _opinion(step: DecisionStep, people: dict[int, Person]) -> Opinion:
    def name(person_id: int | None) -> str:
        person = people.get(person_id or 0)
        return person.name if person else ""

    if step.status == StepStatus.DECIDED and step.decision is not None:
        comment = step.comment
        if step.decision == Action.CONFIRM_NO and step.refusal_category:
            comment = f"{REFUSAL_CATEGORY_TITLES[RefusalCategory(step.refusal_category)]}：{comment}"
        return Opinion(
            ACTION_TITLES[Action(step.decision)],
            comment,
            name(step.decided_by_id),
            name(step.on_behalf_of_id),
            step.decided_at,
        )
    return Opinion(
        STEP_WAITING[StepStatus(step.status)],
        step.comment,
        name(step.approver_id),
        name(step.on_behalf_of_id),
    )


async def approval_form(matter: Matter) -> ApprovalForm:
    """The form's contents for ``matter`` (of any state)."""
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("opened_at", "id")
    ids = {matter.submitter_id} | {
        i for s in steps for i in (s.approver_id, s.on_behalf_of_id, s.decided_by_id) if i
    }
    people = {p.id: p for p in await Person.filter(id__in=sorted(ids))}
    submitter = people[matter.submitter_id]
    levels = [
        LevelBox(
            Level.FIRST_CONTACT,
            LEVEL_TITLES[Level.FIRST_CONTACT],
            [Opinion("拟说“不”，提请提级", matter.reason, submitter.name, at=matter.submitted_at)],
        ),
    ]
    for level in (Level.SECTION_HEAD, Level.DEPUTY, Level.PRINCIPAL):
        opinions = [_opinion(s, people) for s in steps if s.level == level]
        levels.append(LevelBox(level, LEVEL_TITLES[level], opinions or [Opinion(NOT_REACHED, "", "")]))
    records = (
        await ReplyRecord.filter(matter_id=matter.id).order_by("recorded_at").prefetch_related("recorded_by")
    )
    replies = [
        Reply(
            REPLY_METHOD_TITLES.get(r.method, str(r.method)),
            r.content,
            r.callee_phone,
            r.recorded_by.name,
            r.recorded_at,
        )
        for r in records
    ]
    category = (
        REFUSAL_CATEGORY_TITLES[RefusalCategory(matter.refusal_category)] if matter.refusal_category else ""
    )
    return ApprovalForm(
        matter=matter,
        unit=await Unit.get(id=matter.unit_id),
        department=await Department.get(id=matter.department_id),
        submitter=submitter,
        catalog_item=await CatalogItem.get_or_none(id=matter.catalog_item_id)
        if matter.catalog_item_id
        else None,
        co_departments=[d.name for d in await co_departments_of(matter)],
        levels=levels,
        state_title=STATE_TITLES[MatterState(matter.state)],
        outcome=_outcome(matter),
        refusal_category=category,
        replies=replies,
    )
