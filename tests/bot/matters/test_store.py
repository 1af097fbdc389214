"""Saving a decision (``save_decision``): the step, the prompts it answers and the matter's
conditional update go together — all of them, or, when someone changed the matter first, none."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from tortoise.transactions import in_transaction

from bot.errors import ConcurrentChange
from bot.matters.store import save_decision
from bot.matters.workflow import MatterState
from bot.runtime.resources import Resources
from models.enums import Action, PromptPurpose, StepStatus
from models.matter import DecisionStep, Matter, TextPrompt
from models.org import Person
from tests.handlers.test_commands import FORM, make_world

AT = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
FIELDS = ("status", "decision", "decided_by_id", "decided_at")


@dataclass
class Case:
    matter: Matter
    step: DecisionStep
    actor: Person
    other: Person


@pytest.fixture
async def case(resources: Resources) -> AsyncIterator[Case]:
    world = await make_world(resources)
    assert (await world.say("zhangwei", FORM)).ok
    step = await DecisionStep.get(status=StepStatus.PENDING)
    matter = await Matter.get(id=step.matter_id)
    actor = await Person.get(id=step.approver_id)
    other = await Person.get(handle="zhangwei")
    yield Case(matter, step, actor, other)


async def _prompt(case: Case, person: Person, step: DecisionStep) -> TextPrompt:
    return await TextPrompt.create(
        organisation_id=case.matter.organisation_id,
        person=person,
        step=step,
        purpose=PromptPurpose.COMMENT,
        created_at=AT - dt.timedelta(hours=1),
    )


def _decide(step: DecisionStep, actor: Person) -> None:
    step.status, step.decision = StepStatus.DECIDED, Action.CAN_DO
    step.decided_by_id, step.decided_at = actor.id, AT


async def test_a_decision_saves_the_step_and_the_matter_and_answers_the_steps_prompts(case: Case) -> None:
    on_step = await _prompt(case, case.other, case.step)
    actors_other = await _prompt(case, case.actor, case.step)
    version = case.matter.version
    _decide(case.step, case.actor)
    await save_decision(
        case.matter, case.step, FIELDS, answered_at=AT, invited=None,
        changes={"state": MatterState.RESOLVED, "decided_at": AT},
    )  # fmt: skip
    stored = await Matter.get(id=case.matter.id)
    assert (stored.state, stored.decided_at, stored.version) == (MatterState.RESOLVED, AT, version + 1)
    assert case.matter.version == version + 1 and case.matter.state == MatterState.RESOLVED
    step = await DecisionStep.get(id=case.step.id)
    assert (step.status, step.decision, step.decided_by_id, step.decided_at) == (
        StepStatus.DECIDED, Action.CAN_DO, case.actor.id, AT,
    )  # fmt: skip
    assert (await TextPrompt.get(id=on_step.id)).answered_at == AT
    assert (await TextPrompt.get(id=actors_other.id)).answered_at == AT  # it is on the step too


async def test_an_invited_actors_older_prompts_lapse_and_a_comment_prompt_opens_for_them(
    case: Case,
) -> None:
    elsewhere = await DecisionStep.create(
        organisation_id=case.matter.organisation_id, matter=case.matter, level=case.step.level,
        approver_id=case.other.id, status=StepStatus.SUPERSEDED, opened_at=AT,
    )  # fmt: skip
    actors = await _prompt(case, case.actor, elsewhere)
    someone_elses = await _prompt(case, case.other, elsewhere)
    _decide(case.step, case.actor)
    await save_decision(case.matter, case.step, FIELDS, answered_at=AT, invited=case.actor, changes={})
    assert (await TextPrompt.get(id=actors.id)).answered_at == AT
    assert (await TextPrompt.get(id=someone_elses.id)).answered_at is None
    invitation = await TextPrompt.get(person_id=case.actor.id, answered_at__isnull=True)
    assert (invitation.step_id, invitation.purpose, invitation.created_at) == (
        case.step.id, PromptPurpose.COMMENT, AT,
    )  # fmt: skip


async def test_without_an_invitation_no_prompt_opens(case: Case) -> None:
    _decide(case.step, case.actor)
    await save_decision(case.matter, case.step, FIELDS, answered_at=AT, invited=None, changes={})
    assert not await TextPrompt.filter(person_id=case.actor.id).exists()


async def test_a_decision_on_a_matter_changed_meanwhile_changes_nothing(case: Case) -> None:
    prompt = await _prompt(case, case.other, case.step)
    await Matter.filter(id=case.matter.id).update(version=case.matter.version + 1)  # someone else
    _decide(case.step, case.actor)
    with pytest.raises(ConcurrentChange):
        async with in_transaction():
            await save_decision(
                case.matter, case.step, FIELDS, answered_at=AT, invited=case.actor,
                changes={"state": MatterState.RESOLVED},
            )  # fmt: skip
    assert (await DecisionStep.get(id=case.step.id)).status == StepStatus.PENDING
    assert (await Matter.get(id=case.matter.id)).state == MatterState.PENDING
    assert (await TextPrompt.get(id=prompt.id)).answered_at is None
    assert not await TextPrompt.filter(person_id=case.actor.id).exists()
