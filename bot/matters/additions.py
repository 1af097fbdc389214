"""Additions: once the applicant has been answered, a decision's reason, 说“行”建议 and comments are
final. Later words are stored beside them, each with its own time and author, and shown as
additions (查询, the submitter's notice); the original words are never rewritten."""

from __future__ import annotations

import datetime as dt

from bot.matters.refusal_words import names_its_parts, split_refusal
from bot.matters.store import ServiceResult, audit_matter, save_matter
from bot.matters.workflow import LEVEL_TITLES, Action
from bot.outbox.batch import OutboxBatch
from bot.texts import format_local
from models.enums import ADDITION_KIND_TITLES, AdditionKind
from models.matter import Addition, DecisionStep, Matter
from models.org import Person


def _parts(step: DecisionStep, text: str) -> list[tuple[AdditionKind, str]]:
    """What ``text`` adds to: a refusal's reason and/or 说“行”建议 when it names them, else a comment."""
    if step.decision == Action.CONFIRM_NO and names_its_parts(text):
        words = split_refusal(text)
        parts = [(AdditionKind.REASON, words.reason), (AdditionKind.WAY_FORWARD, words.way_forward)]
        return [(kind, value) for kind, value in parts if value]
    return [(AdditionKind.COMMENT, text.strip())]


async def add_after_reply(
    batch: OutboxBatch, actor: Person, matter: Matter, step: DecisionStep, text: str
) -> ServiceResult:
    """``意见`` after the reply was recorded: an addition, never an edit."""
    parts = _parts(step, text)
    for kind, value in parts:
        await Addition.create(
            organisation_id=matter.organisation_id,
            matter=matter,
            step=step,
            person=actor,
            kind=kind,
            text=value,
            added_at=batch.now,
        )
    await save_matter(matter)  # the version moves: the matter's record changed
    when = format_local(batch.now, batch.settings.tz)
    words = "；".join(f"补充{ADDITION_KIND_TITLES[kind]}：{value}" for kind, value in parts)
    submitter = await Person.get(id=matter.submitter_id)
    if submitter.id != actor.id:
        await batch.text(
            submitter,
            f"{matter.number} {LEVEL_TITLES[step.level]} {actor.name} 于 {when} {words}",
            dedupe_key=f"notice:addition:{matter.id}:{matter.version}",
        )
    await audit_matter(batch, actor, "addition", matter, step=step.id, parts=[[k.value, v] for k, v in parts])
    return ServiceResult(
        f"{matter.number} 已答复申请人，原意见不再修改；已作为补充记录（{when}）：{words}", matter
    )


async def addition_lines(matter: Matter, tz: dt.tzinfo) -> list[str]:
    """The additions as the timeline shows them, oldest first: 「时间 姓名 补充理由：…」."""
    rows = await Addition.filter(matter_id=matter.id).order_by("added_at", "id").prefetch_related("person")
    return [
        f"{format_local(a.added_at, tz)} {a.person.name} 补充{ADDITION_KIND_TITLES[AdditionKind(a.kind)]}：{a.text}"
        for a in rows
    ]
