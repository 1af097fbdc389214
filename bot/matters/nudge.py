"""催办: the submitter nudges whoever holds the open step of their matter, at most once per
``NUDGE_WORKING_HOURS`` working hours per matter; each nudge is an audit row (shown by 查询)."""

from __future__ import annotations

import datetime as dt

from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.errors import UserError
from bot.matters.holders import step_holder
from bot.matters.links import where_to_see
from bot.matters.store import ServiceResult, audit_matter, local_today
from bot.matters.watchlist import format_working_time
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, MatterState, StepStatus
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.audit import AuditEntry
from models.matter import DecisionStep, Matter
from models.org import Person

NUDGE_ACTION = "nudge"
NUDGE_WORKING_HOURS = 2


async def last_nudge(matter: Matter) -> AuditEntry | None:
    return (
        await AuditEntry.filter(
            organisation_id=matter.organisation_id, subject=matter.number, action=NUDGE_ACTION
        )
        .order_by("-seq")
        .first()
    )


async def nudge(batch: OutboxBatch, actor: Person, matter: Matter) -> ServiceResult:
    """Send the holder of each open step a 催办 text; refuse (storing nothing) when the matter has
    no open step or was nudged less than ``NUDGE_WORKING_HOURS`` working hours ago."""
    tz = batch.settings.tz
    if matter.submitter_id != actor.id:
        raise UserError(f"{matter.number} 不是您提交的事项，只有提交人可以催办。")
    if matter.state != MatterState.PENDING:
        raise UserError(await _nothing_open(matter, tz, batch.now))
    calendar = await load_calendar(batch.settings, matter.organisation_id, today=local_today(batch))
    previous = await last_nudge(matter)
    if previous is not None:
        # From the minute shown to people, so 「下次可催办时间 11:30」 holds from 11:30:00.
        allowed_at = calendar.add_working_hours(
            previous.at.replace(second=0, microsecond=0), NUDGE_WORKING_HOURS
        )
        if batch.now < allowed_at:
            raise UserError(
                f"您已于 {format_local(previous.at, tz)} 催办过 {matter.number}，每件事项每 {NUDGE_WORKING_HOURS} "
                f"个工作小时可催办一次。下次可催办时间：{format_local(allowed_at, tz)}。"
            )
    steps = await DecisionStep.filter(matter_id=matter.id, status__in=list(OPEN_STEP_STATUSES)).order_by("id")
    told: dict[int, str] = {}
    for step in steps:
        holder = await step_holder(step, batch.now, tz=tz)
        if holder.id in told:
            continue
        told[holder.id] = await _tell(batch, actor, matter, step, holder, calendar)
    if not told:
        raise UserError(f"{matter.number} 目前没有待审批的环节，无需催办。")
    names = "、".join(told.values())
    await audit_matter(batch, actor, NUDGE_ACTION, matter, holders=names, holder_ids=list(told))
    next_at = calendar.add_working_hours(batch.now.replace(second=0, microsecond=0), NUDGE_WORKING_HOURS)
    return ServiceResult(
        f"已向{LEVEL_TITLES[matter.level]} {names} 催办 {matter.number}。"
        f"下次可催办时间：{format_local(next_at, tz)}。",
        matter,
    )


async def _tell(
    batch: OutboxBatch,
    actor: Person,
    matter: Matter,
    step: DecisionStep,
    holder: Person,
    calendar: WorkCalendar,
) -> str:
    """Queue the 催办 text to ``holder``; returns their name as the submitter sees it."""
    leader_id = step.on_behalf_of_id or step.approver_id
    leader = await Person.get(id=leader_id) if leader_id != holder.id else None
    text = render_text(
        "nudge.md.j2",
        submitter=actor,
        matter=matter,
        leader=leader,
        level_title=LEVEL_TITLES[step.level],
        waited=format_working_time(calendar.working_hours_between(step.opened_at, batch.now), batch.settings),
        due=format_local(matter.due_at, batch.settings.tz),
        overdue=batch.now > matter.due_at,
        awaiting_text=step.status == StepStatus.AWAITING_TEXT,
        where=where_to_see(batch.settings, matter.number),
    )
    await batch.text(holder, text, dedupe_key=f"nudge:{matter.id}:{step.id}:{batch.now.isoformat()}")
    return holder.name + (f"（代 {leader.name}）" if leader else "")


async def _nothing_open(matter: Matter, tz: dt.tzinfo, now: dt.datetime) -> str:
    """What to say when there is no step to nudge: who owes what now."""
    state = MatterState(matter.state)
    if state is MatterState.WITHDRAWN:
        return f"{matter.number} 已撤回，无需催办。"
    if state is MatterState.CLOSED:
        return f"{matter.number} 已办结，无需催办。"
    decided_by = await Person.get_or_none(id=matter.decided_by_id) if matter.decided_by_id else None
    outcome = "能办" if state is MatterState.RESOLVED else "确认不能办"
    who = f"{decided_by.name} " if decided_by else ""
    due = format_local(matter.due_at, tz)
    when = f"回复期限 {due} 已过，请尽快" if now > matter.due_at else f"请于 {due} 前"
    return (
        f"{matter.number} 已由 {who}于 {format_local(matter.decided_at, tz)} 决定：{outcome}，没有待审批的环节可催办。"
        f"现在需要您回复申请人：{when}电话或书面告知申请人，"
        f"再发送“回复 {matter.number} 电话|书面 内容”登记。"
    )
