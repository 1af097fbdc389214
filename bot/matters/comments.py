"""Words for a decision: the refusal's reason and 说“行”建议, or a comment (研判意见) by anyone who
holds or held a step of the matter. Before the applicant is answered they may be rewritten; after
that they are final and more words become additions (``bot.matters.additions``)."""

from __future__ import annotations

from bot.errors import UserError
from bot.matters.additions import add_after_reply
from bot.matters.decide import decide_step
from bot.matters.holders import open_step_holders
from bot.matters.refusal_words import RefusalWords, split_refusal
from bot.matters.step_cards import card_status, refresh_step_cards
from bot.matters.store import ServiceResult, audit_matter, save_matter
from bot.matters.workflow import LEVEL_TITLES, OPEN_STEP_STATUSES, Action, MatterState, StepStatus
from bot.outbox.batch import OutboxBatch
from models.matter import DecisionStep, Matter, TextPrompt
from models.org import Person


async def give_text(batch: OutboxBatch, actor: Person, matter: Matter, text: str) -> ServiceResult:
    """Words for a decision: the refusal's reason and 说“行”建议, or a comment on one's step."""
    waiting = await DecisionStep.filter(
        matter_id=matter.id, status=StepStatus.AWAITING_TEXT, decided_by_id=actor.id
    ).first()
    if waiting is not None:
        return await _refusal_words(batch, actor, matter, waiting, text)
    mine = await _my_step(batch, actor, matter)
    if mine is None:
        raise UserError(f"您不是 {matter.number} 的审批人（现在或此前都不是），无法填写意见。")
    await TextPrompt.filter(person_id=actor.id, answered_at__isnull=True).update(answered_at=batch.now)
    if matter.state == MatterState.CLOSED:
        return await add_after_reply(batch, actor, matter, mine, text)
    if mine.decision == Action.CONFIRM_NO:
        words = split_refusal(text).joined(RefusalWords(mine.comment, matter.way_forward))
        mine.comment, mine.way_forward = words.reason, words.way_forward
        await mine.save(update_fields=["comment", "way_forward"])
        await save_matter(matter, decision_text=words.reason, way_forward=words.way_forward)
    else:
        mine.comment = text.strip()
        await mine.save(update_fields=["comment"])
        if matter.decided_level == mine.level and mine.lead:
            await save_matter(matter, decision_text=mine.comment)
        else:
            await save_matter(matter)
    await _show_on_open_cards(batch, matter)
    submitter = await Person.get(id=matter.submitter_id)
    if submitter.id != actor.id:
        await batch.text(
            submitter,
            f"{matter.number} {LEVEL_TITLES[mine.level]} {actor.name} 的意见：{mine.comment}",
            dedupe_key=f"notice:comment:{mine.id}:{matter.version}",
        )
    await audit_matter(batch, actor, "comment", matter, step=mine.id, text=text)
    return ServiceResult(f"{matter.number}：已记录您的意见。", matter)


async def _my_step(batch: OutboxBatch, actor: Person, matter: Matter) -> DecisionStep | None:
    """The step ``actor``'s comment belongs to: the one they decided last, else an open one they
    hold now (a deputy commenting before deciding), else one that was sent to them."""
    decided = (
        await DecisionStep.filter(matter_id=matter.id, status=StepStatus.DECIDED, decided_by_id=actor.id)
        .order_by("-decided_at", "-id")
        .first()
    )
    if decided is not None:
        return decided
    steps = await DecisionStep.filter(matter_id=matter.id).order_by("-id")
    held = await open_step_holders(matter, batch.now, tz=batch.settings.tz)
    for step in steps:
        if step.status in OPEN_STEP_STATUSES and actor.id in (held.get(step.id), step.on_behalf_of_id):
            return step
    return next((s for s in steps if actor.id in (s.approver_id, s.on_behalf_of_id)), None)


async def _refusal_words(
    batch: OutboxBatch, actor: Person, matter: Matter, waiting: DecisionStep, text: str
) -> ServiceResult:
    """The principal's words after 确认不能办: complete → refused; a part missing → kept, and that
    part alone is asked for."""
    earlier = RefusalWords(waiting.comment, waiting.way_forward)
    missing = earlier.missing()
    words = split_refusal(text, missing[0] if len(missing) == 1 else None).joined(earlier)
    if not words.missing():
        return await decide_step(
            batch, actor, waiting, Action.GIVE_REFUSAL_TEXT, text=words.reason, way_forward=words.way_forward
        )
    if words == earlier:
        raise UserError(f"{matter.number}：{words.question()}")
    waiting.comment, waiting.way_forward = words.reason, words.way_forward
    await waiting.save(update_fields=["comment", "way_forward"])
    await save_matter(matter)
    await audit_matter(batch, actor, "refusal_text_partial", matter, step=waiting.id, text=text)
    got = "理由" if words.reason else "说“行”建议"
    return ServiceResult(f"{matter.number}：已记下{got}。{words.question()}", matter)


async def _show_on_open_cards(batch: OutboxBatch, matter: Matter) -> None:
    """A comment travels up: the open cards (the next level's) are re-rendered with it."""
    for step in await DecisionStep.filter(matter_id=matter.id, status__in=list(OPEN_STEP_STATUSES)):
        await refresh_step_cards(batch, step, card_status(step), version=matter.version)
