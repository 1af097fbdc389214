"""说不: create the matter from a validated 审批表 and open its first level."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters import lookups
from bot.matters.catalog_guide import applicant_guide
from bot.matters.chain import chain_for, stand_ins_on
from bot.matters.co_departments import notify_co_departments
from bot.matters.numbers import insert_numbered
from bot.matters.steps import open_steps, step_names
from bot.matters.store import MatterForm, ServiceResult, audit_matter, local_today
from bot.matters.workflow import (
    LEVEL_TITLES,
    MatterState,
    first_opening,
)
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local, render_text
from models.matter import Matter
from models.org import Person


async def submit_matter(batch: OutboxBatch, submitter: Person, form: MatterForm) -> ServiceResult:
    """Create the matter and open its first level."""
    if submitter.department_id is None:
        raise UserError("您没有归属股室，无法提交说“不”事项。请联系管理员在组织架构中设置您的股室。")
    department = await lookups.department(submitter.department_id)
    chain = await chain_for(department, form.co_departments)
    leaders = [a for level in chain.levels.values() for a in level]
    stand_ins = await stand_ins_on(leaders, local_today(batch))
    opening = first_opening(chain, submitter.id, stand_ins)
    calendar = await lookups.calendar(batch.settings, batch.organisation.id, today=local_today(batch))
    # Everyone the cards name, read before the number is taken: from then on until commit every
    # submission of the organisation waits on the counter row, so that stretch does only writes.
    await lookups.people([*leaders, *stand_ins.values()])
    year = batch.now.astimezone(batch.settings.tz).year
    matter = Matter(
        organisation=batch.organisation,
        number="",  # given with its seq by insert_numbered, as late as the matter's INSERT
        year=year,
        seq=0,
        unit_id=department.unit_id,
        department=department,
        submitter=submitter,
        applicant=form.applicant,
        applicant_phone=form.applicant_phone,
        subject=form.subject,
        request=form.request,
        reason=form.reason,
        policy_basis=form.policy_basis,
        catalog_item=form.catalog_item,
        co_department_ids=[d.id for d in form.co_departments],
        state=MatterState.PENDING,
        level=opening.level,
        submitted_at=batch.now,
        due_at=calendar.deadline_for(batch.now, batch.settings.reply_working_days),
    )
    await insert_numbered(matter)
    steps = await open_steps(batch, matter, opening, before=[])  # a new matter: no steps before
    await audit_matter(batch, submitter, "submit", matter, approvers=list(opening.approver_ids))
    names = await step_names(steps)
    level_title = LEVEL_TITLES[opening.level]
    told = await notify_co_departments(
        batch, matter, form.co_departments, level_title=level_title, names=names
    )
    message = render_text(
        "submitted.md.j2",
        matter=matter,
        level_title=level_title,
        names=names,
        due=format_local(matter.due_at, batch.settings.tz),
        co_departments=[d.name for d in form.co_departments],
        told=told,
        guide=applicant_guide(form.catalog_item),
    )
    return ServiceResult(message, matter)
