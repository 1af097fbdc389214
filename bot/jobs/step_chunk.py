"""What the step pass needs about one chunk of due steps, read with a few queries for the whole
chunk (not per step): who holds each step today, its cards, and which steps are 会商."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.jobs.recipients import Directory
from bot.matters.chain import stand_ins_on
from bot.matters.workflow import OPEN_STEP_STATUSES, Level, assign_holders
from models.cards import CardInstance
from models.enums import CardKind
from models.matter import DecisionStep
from models.org import Person


@dataclass
class StepChunk:
    """Holders, cards and 会商 levels of a chunk of steps (each step's ``matter`` loaded)."""

    holders: dict[int, int] = field(default_factory=dict)  # step id → holder's person id
    cards: dict[int, list[CardInstance]] = field(default_factory=lambda: defaultdict(list))
    consulted: set[int] = field(default_factory=set)  # matter ids whose level 3 has several steps

    @classmethod
    async def load(cls, steps: list[DecisionStep], day: dt.date) -> StepChunk:
        """The rule of `bot.matters.holders.step_holder` (`workflow.assign_holders` over each matter's
        open steps in id order, with the stand-ins of ``day``), resolved for the chunk at once."""
        chunk = cls()
        matter_ids = list({s.matter_id for s in steps})
        # Plain tuples, not models, of every step of the chunk's matters (one query for the holders,
        # open steps in id order, and the 会商 count, deputy steps of any status).
        steps_of_matters = (
            await DecisionStep.filter(matter_id__in=matter_ids)
            .order_by("id")
            .values_list("id", "matter_id", "approver_id", "on_behalf_of_id", "status", "level")
        )
        by_matter: dict[int, list[tuple[int, int]]] = defaultdict(list)
        deputies: Counter[int] = Counter()
        open_statuses = {str(s) for s in OPEN_STEP_STATUSES}
        for step_id, matter_id, approver_id, on_behalf_of_id, status, level in steps_of_matters:
            if str(status) in open_statuses:
                by_matter[int(matter_id)].append((int(step_id), int(on_behalf_of_id or approver_id)))
            deputies[int(matter_id)] += int(level) == Level.DEPUTY
        stand_ins = await stand_ins_on([leader for rows in by_matter.values() for _, leader in rows], day)
        submitters = {s.matter_id: s.matter.submitter_id for s in steps}
        for matter_id, level_steps in by_matter.items():
            held = assign_holders([leader for _, leader in level_steps], submitters[matter_id], stand_ins)
            chunk.holders.update({step_id: h for (step_id, _), h in zip(level_steps, held, strict=True)})
        for card in await CardInstance.filter(
            kind=CardKind.DECISION, subject_id__in=[s.id for s in steps]
        ).order_by("-id"):
            chunk.cards[card.subject_id].append(card)
        chunk.consulted = {m for m, n in deputies.items() if n > 1}
        return chunk

    def people(self, steps: list[DecisionStep]) -> set[int]:
        """Everyone a reminder about ``steps`` may name: holders and the leaders they stand in for."""
        return {*self.holders.values(), *(s.on_behalf_of_id or s.approver_id for s in steps)}

    async def holder(self, step: DecisionStep, directory: Directory) -> Person:
        return await directory.person(self.holders.get(step.id, step.on_behalf_of_id or step.approver_id))

    def is_consultation(self, step: DecisionStep) -> bool:
        return step.level == Level.DEPUTY and step.matter_id in self.consulted
