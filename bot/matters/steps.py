"""Opening a level's decision steps (each with a fresh card) and naming who they went to."""

from __future__ import annotations

from bot.matters import lookups
from bot.matters.chain import stand_ins_on
from bot.matters.step_cards import issue_step_card
from bot.matters.store import local_today
from bot.matters.workflow import Opening, StepStatus, assign_holders
from bot.outbox.batch import OutboxBatch
from models.matter import DecisionStep, Matter


async def open_steps(
    batch: OutboxBatch, matter: Matter, opening: Opening, *, before: list[DecisionStep] | None = None
) -> list[DecisionStep]:
    """One step per approver, held by their stand-in if one is active today (unless that would give
    the submitter, or someone already holding a step of the level, the step), each with a fresh card.
    ``before``: all of the matter's steps as the caller's transaction has them (a new matter has
    none), so the cards are built without reading them again."""
    steps = []
    stand_ins = await stand_ins_on(opening.approver_ids, local_today(batch))
    held = assign_holders(opening.approver_ids, matter.submitter_id, stand_ins)
    for index, (approver_id, holder_id) in enumerate(zip(opening.approver_ids, held, strict=True)):
        stand_in = holder_id != approver_id
        step = await DecisionStep.create(
            organisation_id=matter.organisation_id,
            matter=matter,
            level=opening.level,
            approver_id=holder_id,
            on_behalf_of_id=approver_id if stand_in else None,
            lead=index == 0,
            status=StepStatus.PENDING,
            opened_at=batch.now,
            next_reminder_at=batch.now,  # the 催办 ladder's first look (bot.jobs.step_reminders)
        )
        steps.append(step)
    known = None if before is None else [*before, *steps]
    for step in steps:  # addressed once every step of the level exists (holders depend on each other)
        holder = await lookups.person(step.approver_id)
        await issue_step_card(batch, step, holder, matter=matter, steps=known)
    return steps


async def step_names(steps: list[DecisionStep]) -> str:
    """Who the steps went to, a stand-in with the leader: 「赵志强（代 李明华）」."""
    ids = [s.approver_id for s in steps] + [s.on_behalf_of_id for s in steps if s.on_behalf_of_id]
    people = {i: p.name for i, p in (await lookups.people(ids)).items()}
    return "、".join(
        people.get(s.approver_id, "?")
        + (f"（代 {people.get(s.on_behalf_of_id, '?')}）" if s.on_behalf_of_id else "")
        for s in steps
    )
