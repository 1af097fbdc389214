"""Text prompts: the bot asked a person for words, and their next plain message is the answer."""

from __future__ import annotations

from bot.outbox.batch import OutboxBatch
from models.enums import PromptPurpose
from models.matter import DecisionStep, Matter, TextPrompt
from models.org import Person


async def ask_for_words(
    batch: OutboxBatch, actor: Person, matter: Matter, step: DecisionStep, purpose: PromptPurpose
) -> None:
    """The actor's next non-command message is taken for ``purpose`` on ``step`` (their older,
    unanswered prompt lapses: only the latest question is open)."""
    await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
    await TextPrompt.create(
        organisation_id=matter.organisation_id,
        person=actor,
        step=step,
        purpose=purpose,
        created_at=batch.now,
    )
