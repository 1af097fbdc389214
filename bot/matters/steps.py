"""Opening a level's decision steps (each with a fresh card) and naming who they went to."""

from __future__ import annotations

from bot.matters.chain import active_stand_in
from bot.matters.step_cards import issue_step_card
from bot.matters.store import local_today
from bot.matters.workflow import (
    Opening,
    StepStatus,
)
from bot.outbox.batch import OutboxBatch
from models.matter import DecisionStep, Matter
from models.org import Person


async def open_steps(batch: OutboxBatch, matter: Matter, opening: Opening) -> list[DecisionStep]:
    """One step per approver (their stand-in if one is active today), each with a fresh card."""
    steps = []
    today = local_today(batch)
    for index, approver_id in enumerate(opening.approver_ids):
        stand_in = await active_stand_in(approver_id, today)
        step = await DecisionStep.create(
            organisation_id=matter.organisation_id,
            matter=matter,
            level=opening.level,
            approver_id=stand_in.id if stand_in else approver_id,
            on_behalf_of_id=approver_id if stand_in else None,
            lead=index == 0,
            status=StepStatus.PENDING,
            opened_at=batch.now,
            next_reminder_at=batch.now,  # the 催办 ladder's first look (bot.jobs.step_reminders)
        )
        await issue_step_card(batch, step)
        steps.append(step)
    return steps


async def step_names(steps: list[DecisionStep]) -> str:
    """Who the steps went to, a stand-in with the leader: 「赵志强（代 李明华）」."""
    ids = [s.approver_id for s in steps] + [s.on_behalf_of_id for s in steps if s.on_behalf_of_id]
    people = {p.id: p.name for p in await Person.filter(id__in=ids)}
    return "、".join(
        people.get(s.approver_id, "?")
        + (f"（代 {people.get(s.on_behalf_of_id, '?')}）" if s.on_behalf_of_id else "")
        for s in steps
    )
