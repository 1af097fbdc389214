"""通报: the activity office's notice on a matter handled against the rules (policy 二.4: 发现违反
说“不”事项提级管理制度的，及时纠正并在一定范围内通报), posted to a group chosen in the console.

The words are edited in the console; ``issue_notice`` stores the ``Notice`` and its group message
in the outbox in the caller's transaction (which also audits it). The form's one-time ``key`` makes
a second POST of the same form issue nothing more."""

from __future__ import annotations

from tortoise.expressions import Q

from bot.errors import UserError
from bot.outbox.batch import OutboxBatch
from models.matter import Matter
from models.notices import NOTICE_TEXT_MAX, Notice
from models.org import Department, GroupChannel, Unit

KEY_MAX = 64


def notice_draft(matter: Matter, unit: Unit, department: Department) -> str:
    """The words the console's form starts with (the office edits them)."""
    return (
        f"关于 {unit.name}{department.name} 办理 {matter.number}（{matter.subject}）的通报\n"
        f"经活动办公室核查，该事项的办理不符合说“不”事项提级管理规定：（请写明问题）。\n"
        f"请相关股室立即纠正，并于（日期）前将整改情况报活动办公室。"
    )


def clean_text(text: str) -> str:
    words = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if not words:
        raise UserError("通报内容不能为空，请写明问题和整改要求。")
    if len(words) > NOTICE_TEXT_MAX:
        raise UserError(f"通报内容最多 {NOTICE_TEXT_MAX} 字，现在有 {len(words)} 字，请精简。")
    return words


def group_message(matter: Matter, text: str, issued_by: str) -> str:
    """The group's markdown: a heading, the office's words (quoted line by line) and who issued it."""
    quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())
    return f"**【通报】{matter.number}**\n{quoted}\n\n—— 活动办公室（{issued_by}）"


async def issue_notice(
    batch: OutboxBatch, matter: Matter, group: GroupChannel, text: str, *, key: str, issued_by: str
) -> Notice | None:
    """Store the 通报 and its group message; None when this form's ``key`` was issued before."""
    if not key or len(key) > KEY_MAX:
        raise UserError("页面已过期，请刷新后重新填写通报。")
    words = clean_text(text)
    if await Notice.filter(organisation_id=matter.organisation_id, key=key).exists():
        return None
    notice = await Notice.create(
        organisation_id=matter.organisation_id,
        matter=matter,
        group=group,
        key=key,
        text=words,
        issued_by=issued_by[:64],
        issued_at=batch.now,
    )
    await batch.group(group, group_message(matter, words, issued_by), dedupe_key=f"tongbao:{notice.id}")
    return notice


async def notices_in(scope: Q) -> list[Notice]:
    """The 通报 on matters within ``scope`` (a filter with ``prefix="matter__"``), newest first."""
    return list(await Notice.filter(scope).order_by("-issued_at", "-id").select_related("matter", "group"))
