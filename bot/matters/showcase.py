"""典型案例: the office marks a matter as a typical case with a short write-up (or unmarks it).
The caller audits the change (before → after) in the same transaction."""

from __future__ import annotations

import datetime as dt

from tortoise.expressions import Q

from bot.errors import UserError
from models.matter import Matter

SHOWCASE_NOTE_MAX = 500  # characters of a case's write-up


def showcase_state(matter: Matter) -> dict[str, object]:
    """What the audit row records before and after a change."""
    return {"showcase": matter.showcase, "note": matter.showcase_note}


def clean_note(text: str) -> str:
    """The write-up as stored: trimmed; a Chinese message when it is missing or too long."""
    note = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not note:
        raise UserError("请写几句典型案例说明（为什么典型、做法和成效），再标记。")
    if len(note) > SHOWCASE_NOTE_MAX:
        raise UserError(f"典型案例说明最多 {SHOWCASE_NOTE_MAX} 字，现在有 {len(note)} 字，请精简。")
    return note


async def mark_showcase(matter: Matter, note: str, now: dt.datetime) -> str:
    """Mark (or, already marked, re-word) ``matter`` as a typical case; returns the audit action."""
    words = clean_note(note)
    action = "showcase.edit" if matter.showcase else "showcase.mark"
    at = matter.showcase_at if matter.showcase and matter.showcase_at else now
    await Matter.filter(id=matter.id).update(showcase=True, showcase_note=words, showcase_at=at)
    matter.showcase, matter.showcase_note, matter.showcase_at = True, words, at
    return action


async def unmark_showcase(matter: Matter) -> str:
    """No longer a typical case (the write-up is dropped with it); returns the audit action."""
    await Matter.filter(id=matter.id).update(showcase=False, showcase_note="", showcase_at=None)
    matter.showcase, matter.showcase_note, matter.showcase_at = False, "", None
    return "showcase.unmark"


async def showcase_cases(scope: Q) -> list[Matter]:
    """The typical cases within ``scope`` (``bot.matters.scoping.matters_in``), newest marked first."""
    return list(
        await Matter.filter(scope, showcase=True)
        .order_by("-showcase_at", "-id")
        .select_related("unit", "department", "submitter")
    )
