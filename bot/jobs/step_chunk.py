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
        open_steps = await DecisionStep.filter(
            matter_id__in=matter_ids, status__in=list(OPEN_STEP_STATUSES)
        ).order_by("id")
        by_matter: dict[int, list[DecisionStep]] = defaultdict(list)
        for step in open_steps:
            by_matter[step.matter_id].append(step)
        stand_ins = await stand_ins_on([s.on_behalf_of_id or s.approver_id for s in open_steps], day)
        submitters = {s.matter_id: s.matter.submitter_id for s in steps}
        for matter_id, level_steps in by_matter.items():
            leaders = [s.on_behalf_of_id or s.approver_id for s in level_steps]
            held = assign_holders(leaders, submitters[matter_id], stand_ins)
            chunk.holders.update({s.id: h for s, h in zip(level_steps, held, strict=True)})
        for card in await CardInstance.filter(
            kind=CardKind.DECISION, subject_id__in=[s.id for s in steps]
        ).order_by("-id"):
            chunk.cards[card.subject_id].append(card)
        deputies = Counter(
            s.matter_id for s in await DecisionStep.filter(matter_id__in=matter_ids, level=Level.DEPUTY)
        )
        chunk.consulted = {m for m, n in deputies.items() if n > 1}
        return chunk

    async def holder(self, step: DecisionStep, directory: Directory) -> Person:
        return await directory.person(self.holders.get(step.id, step.on_behalf_of_id or step.approver_id))

    def is_consultation(self, step: DecisionStep) -> bool:
        return step.level == Level.DEPUTY and step.matter_id in self.consulted
