"""``consultation_lapsed``: a 会商 that passed its deadline with a deputy silent goes to the principal.

The pure rule is `bot.matters.workflow.lapse_consultation`; this pass finds the due 会商 steps by
their ``next_reminder_at`` (the ladder puts the lapse there), closes the silent deputies' steps as
逾期未答复, opens the principal's step and tells the principal what each deputy said, the silent
deputies, the submitter and the office — once per matter, in one transaction with its DutyRun row.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.errors import ConcurrentChange
from bot.jobs.duty import Duty
from bot.jobs.ladder import consultation_deadline
from bot.jobs.recipients import office_groups
from bot.jobs.step_reminders import due_steps
from bot.matters.step_cards import refresh_step_cards
from bot.matters.steps import open_steps, step_names
from bot.matters.store import audit_matter, matter_view, save_matter
from bot.matters.workflow import LEVEL_TITLES, Level, Verdict, lapse_consultation
from bot.outbox.batch import OutboxBatch
from bot.texts import render_text
from models.enums import ACTION_TITLES, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Person

log = logging.getLogger(__name__)

KIND = "consultation_lapsed"


async def lapse_consultations(duty: Duty) -> None:
    """Every 会商 whose deadline passed with a deputy silent goes to the principal (once)."""
    seen: set[int] = set()
    for chunk in await due_steps(duty, level=Level.DEPUTY):
        for step in chunk:
            if step.matter_id in seen:
                continue
            seen.add(step.matter_id)
            level_steps = await DecisionStep.filter(matter_id=step.matter_id, level=Level.DEPUTY)
            if len(level_steps) < 2:  # noqa: PLR2004 - one deputy is no 会商: the ladder chases him
                continue
            opened = max(s.opened_at for s in level_steps)
            if duty.now < consultation_deadline(duty.calendar, step.matter.due_at, opened):
                continue
            try:
                await duty.once(KIND, f"matter:{step.matter_id}", "", _lapse_writer(duty, step.matter_id))
            except ConcurrentChange:  # a deputy answered meanwhile: the next pass looks again
                log.info("matter %s changed while its 会商 lapsed; retried next pass", step.matter.number)


def _lapse_writer(duty: Duty, matter_id: int) -> Callable[[OutboxBatch], Awaitable[None]]:
    async def write(batch: OutboxBatch) -> None:
        matter = await Matter.get(id=matter_id)
        outcome = lapse_consultation(await matter_view(matter, duty.today))
        if outcome.verdict is not Verdict.APPLIED or outcome.opening is None:
            raise ConcurrentChange(matter.number)  # nothing to lapse any more: roll back the DutyRun
        await save_matter(matter, level=outcome.level)
        silent_ids = {change.step_id for change in outcome.step_changes}
        deputies = await DecisionStep.filter(matter_id=matter.id, level=Level.DEPUTY).order_by("id")
        for step in deputies:
            if step.id in silent_ids:
                step.status = StepStatus.OVERDUE
                step.decided_at = batch.now
                await step.save(update_fields=["status", "decided_at"])
        new_steps = await open_steps(batch, matter, outcome.opening)
        names = await step_names(new_steps)
        said = await _what_each_said(deputies)
        status = f"会商逾期，已提请{LEVEL_TITLES[outcome.level]} {names}"
        for step in deputies:
            shown = f"逾期未答复，{status}" if step.id in silent_ids else status
            await refresh_step_cards(batch, step, shown, version=matter.version)
        await _notify(batch, matter, deputies, silent_ids, new_steps, names=names, said=said)
        await audit_matter(
            batch, None, KIND, matter, overdue=sorted(silent_ids), said=said,
            to=list(outcome.opening.approver_ids),
        )  # fmt: skip

    return write


async def _what_each_said(deputies: list[DecisionStep]) -> list[str]:
    """“分管领导 李明华：能办（由运输管理股牵头）” per deputy; the silent ones “逾期未答复”."""
    lines = []
    for step in deputies:
        person = await Person.get(id=step.on_behalf_of_id or step.approver_id)
        if step.status == StepStatus.DECIDED and step.decision is not None:
            decider = await Person.get_or_none(id=step.decided_by_id) if step.decided_by_id else None
            words = ACTION_TITLES[step.decision] + (f"（{step.comment}）" if step.comment else "")
            name = decider.name if decider is not None else person.name
        else:
            words, name = "逾期未答复", person.name
        lines.append(f"{LEVEL_TITLES[Level.DEPUTY]} {name}：{words}")
    return lines


async def _notify(
    batch: OutboxBatch,
    matter: Matter,
    deputies: list[DecisionStep],
    silent_ids: set[int],
    new_steps: list[DecisionStep],
    *,
    names: str,
    said: list[str],
) -> None:
    context = {
        "matter": matter,
        "said": said,
        "names": names,
        "due_at": matter.due_at,
        "tz": batch.settings.tz,
    }
    for step in new_steps:
        principal = await Person.get(id=step.approver_id)
        text = render_text("consultation_lapsed_principal.md.j2", **context)
        await batch.text(principal, text, dedupe_key=f"notice:{KIND}:{matter.id}:principal:{step.id}")
    for step in deputies:
        if step.id in silent_ids:
            deputy = await Person.get(id=step.approver_id)
            text = render_text("consultation_lapsed_deputy.md.j2", **context)
            await batch.text(deputy, text, dedupe_key=f"notice:{KIND}:{matter.id}:deputy:{step.id}")
    submitter = await Person.get(id=matter.submitter_id)
    text = render_text("consultation_lapsed_submitter.md.j2", **context)
    await batch.text(submitter, text, dedupe_key=f"notice:{KIND}:{matter.id}:submitter")
    for group in await office_groups(matter.organisation_id):
        text = render_text("consultation_lapsed_office.md.j2", **context)
        await batch.group(group, text, dedupe_key=f"notice:{KIND}:{matter.id}:group:{group.id}")
