"""Decision cards for steps: building the neutral card, issuing it, and showing its new status."""

from __future__ import annotations

import datetime as dt

from bot.cards import Card, CardField
from bot.matters import lookups
from bot.matters.cards import DECISION_CARD
from bot.matters.holders import open_step_holders, step_holder
from bot.matters.links import matter_links
from bot.matters.workflow import (
    LEVEL_ACTIONS,
    LEVEL_TITLES,
    OPEN_STEP_STATUSES,
    STATE_TITLES,
    Action,
    MatterState,
    StepStatus,
)
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from bot.texts import format_local, render_text
from models.cards import CardInstance, cards_of
from models.catalog import CatalogItem
from models.enums import ACTION_TITLES, CardKind
from models.matter import DecisionStep, Matter
from models.org import Department, Person

CARD_SOURCE = "说“不”事项提级"


async def build_card(
    step: DecisionStep,
    ref: str,
    *,
    tz: dt.tzinfo,
    now: dt.datetime,
    status: str | None = None,
    closed: bool | None = None,
    settings: Settings | None = None,
    matter: Matter | None = None,
    steps: list[DecisionStep] | None = None,
) -> Card:
    """The card for ``step`` as it is at ``now``: every field is read afresh on every send and
    update (当前层级 names whoever holds the matter now), times in ``tz`` (``settings.tz``). With
    ``settings``, the card links to the matter's page (“详情 / 填写意见”). ``matter``: the step's
    matter as the caller's transaction has just changed it (else it is read); ``steps``: all of the
    matter's steps as that transaction has them (else they are read)."""
    matter, submitter, department, catalog_item = await _card_matter(step, matter)
    steps, deciders = await _card_steps(matter, steps)
    if closed is None:
        closed = step.status not in OPEN_STEP_STATUSES
    buttons = DECISION_CARD.controls(() if closed else LEVEL_ACTIONS.get(step.level, ()))
    body = render_text(
        "card_body.md.j2",
        matter=matter,
        department=department,
        submitter=submitter,
        history=_history(steps, step, deciders),
        level=step.level,
    )
    fields = [
        CardField("applicant", "服务对象", f"{matter.applicant} {matter.applicant_phone}"),
        CardField("matter", "事项", matter.subject),
        CardField("reason", "拟说不理由", matter.reason),
        CardField("submitter", "提交人", f"{submitter.name}（{department.name}）"),
        CardField("level", "当前层级", await _current_level(matter, steps, now, tz)),
        CardField("due", "回复期限", format_local(matter.due_at, tz)),
    ]
    # Beyond a platform's slots these are shown above the body (WeCom and DingTalk show six).
    if catalog_item is not None:
        fields.append(CardField("catalog", "清单编号", f"{catalog_item.code} {catalog_item.name}"))
    co = sorted(await lookups.departments(matter.co_department_ids or []), key=lambda d: d.id)
    if co:
        fields.append(CardField("co_departments", "协办股室", "、".join(d.name for d in co)))
    if matter.policy_basis:
        fields.append(CardField("policy_basis", "政策依据", matter.policy_basis))
    return Card(
        ref=ref,
        source=CARD_SOURCE,
        title=f"{matter.number} 说“不”事项审批",
        fields=tuple(fields),
        body=body,
        buttons=buttons,
        status=card_status(step) if status is None else status,
        closed=closed,
        reference=matter.number,
        links=() if settings is None else matter_links(settings, matter.number),
    )


async def _card_matter(
    step: DecisionStep, matter: Matter | None
) -> tuple[Matter, Person, Department, CatalogItem | None]:
    """The matter and what the card names of it: submitter, section, catalog entry."""
    if matter is None:
        matter = await Matter.get(id=step.matter_id).select_related("submitter", "department", "catalog_item")
        return matter, matter.submitter, matter.department, matter.catalog_item
    catalog_id = matter.catalog_item_id
    catalog_item = await CatalogItem.get_or_none(id=catalog_id) if catalog_id is not None else None
    submitter = await lookups.person(matter.submitter_id)
    return matter, submitter, await lookups.department(matter.department_id), catalog_item


async def _card_steps(
    matter: Matter, known: list[DecisionStep] | None
) -> tuple[list[DecisionStep], dict[int, str]]:
    """All of the matter's steps by id, and the names of who decided them: the history shows the
    decided ones, 当前层级 the open ones. Steps in hand cost no read (their deciders come from the
    event's lookups, mostly read already); otherwise one read joins the deciders."""
    if known is not None:
        steps = sorted(known, key=lambda s: s.id)
        ids = {s.decided_by_id for s in steps if s.decided_by_id is not None}
        return steps, {i: p.name for i, p in (await lookups.people(ids)).items()}
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("id").select_related("decided_by")
    return steps, {s.decided_by_id: s.decided_by.name for s in steps if s.decided_by_id and s.decided_by}


async def _current_level(
    matter: Matter, all_steps: list[DecisionStep], now: dt.datetime, tz: dt.tzinfo
) -> str:
    """Where the matter is now: the level and who holds it (a stand-in with the leader), or its state."""
    if matter.state != MatterState.PENDING:
        return STATE_TITLES[MatterState(matter.state)]
    steps = [s for s in all_steps if s.status in OPEN_STEP_STATUSES]
    held = await open_step_holders(matter, now, tz=tz, steps=all_steps)
    people = {
        i: p.name
        for i, p in (await lookups.people([*held.values(), *(step_leader_id(s) for s in steps)])).items()
    }
    names = []
    for s in steps:
        holder, leader = held.get(s.id, step_leader_id(s)), step_leader_id(s)
        names.append(people[holder] + (f"（代 {people[leader]}）" if holder != leader else ""))
    return f"{LEVEL_TITLES[matter.level]} {'、'.join(names)}"


def step_leader_id(step: DecisionStep) -> int:
    """The leader a stored step belongs to (see ``workflow.step_leader``)."""
    return step.on_behalf_of_id if step.on_behalf_of_id is not None else step.approver_id


def card_status(step: DecisionStep) -> str:
    if step.status == StepStatus.PENDING:
        return "待处理"
    if step.status == StepStatus.AWAITING_TEXT:
        return "已选择确认不能办，待填写理由和说“行”建议"
    if step.status == StepStatus.SUPERSEDED:
        return "已结束，无需处理"
    return "已处理"


def _history(all_steps: list[DecisionStep], current: DecisionStep, deciders: dict[int, str]) -> list[str]:
    """One line per decision taken before this step (the leader sees what the levels below said)."""
    lines = []
    decided = [s for s in all_steps if s.status == StepStatus.DECIDED]
    for s in sorted(decided, key=lambda s: (s.decided_at is None, s.decided_at, s.id)):
        if s.id == current.id:
            continue
        who = deciders.get(s.decided_by_id, "") if s.decided_by_id is not None else ""
        verb = ACTION_TITLES[s.decision] if s.decision else ""
        line = f"{LEVEL_TITLES[s.level]} {who}：{verb}"
        if s.comment:
            line += f"；{'理由' if s.decision == Action.CONFIRM_NO else '研判意见'}：{s.comment}"
        lines.append(line)
    return lines


async def issue_step_card(
    batch: OutboxBatch,
    step: DecisionStep,
    recipient: Person | None = None,
    *,
    matter: Matter | None = None,
    steps: list[DecisionStep] | None = None,
) -> CardInstance:
    """A new card (new ref) for the step's holder now, or for ``recipient`` (the leader of a step given
    to their stand-in, or the stand-in of a leader's step, asking 待办), queued in ``batch``'s transaction.
    ``matter``, ``steps``: as in ``build_card``."""
    approver = recipient or await step_holder(step, batch.now, tz=batch.settings.tz)
    instance = await batch.new_card(CardKind.DECISION, step.id, approver)
    card = await build_card(
        step,
        instance.ref,
        tz=batch.settings.tz,
        now=batch.now,
        settings=batch.settings,
        matter=matter,
        steps=steps,
    )
    await batch.card(instance, card, dedupe_key=f"card:{instance.ref}")
    return instance


async def latest_card(step: DecisionStep) -> CardInstance | None:
    return await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id).order_by("-id").first()


async def refresh_step_cards(
    batch: OutboxBatch,
    step: DecisionStep,
    status: str,
    *,
    version: int,
    matter: Matter | None = None,
    steps: list[DecisionStep] | None = None,
) -> None:
    """Show ``status`` on every card of ``step`` (closed unless the step is still open); ``matter``,
    ``steps``: as in ``build_card``."""
    for instance in await cards_of(CardKind.DECISION, step.id):
        card = await build_card(
            step,
            instance.ref,
            tz=batch.settings.tz,
            now=batch.now,
            status=status,
            settings=batch.settings,
            matter=matter,
            steps=steps,
        )
        await batch.card_update(instance, card, dedupe_key=f"card_update:{instance.ref}:{version}")
