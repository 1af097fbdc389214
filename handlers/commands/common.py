"""Shared pieces of chat commands: finding a matter by the number typed."""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.matters.numbers import normalise_number
from handlers.context import HandlerContext
from models.matter import Matter


def split_number(body: str, usage: str) -> tuple[str, str]:
    """``"TJ-2026-0001 其余内容"`` → (normalised number, rest); a clear error when it is missing."""
    word, _, rest = re.sub(r"[^\S\n]", " ", body.strip(), count=1).partition(" ")  # \u3000 too
    if "\n" in word:
        word, _, more = word.partition("\n")
        rest = f"{more}\n{rest}".strip()
    if not word:
        raise UserError(f"缺少事项编号。用法：{usage}")
    number = normalise_number(word)
    if number is None:
        raise UserError(f"“{word}”不是事项编号（形如 TJ-2026-0007）。用法：{usage}")
    return number, rest.strip()


async def find_matter(ctx: HandlerContext, number: str) -> Matter:
    matter = await Matter.get_or_none(organisation_id=ctx.organisation.id, number=number)
    if matter is None:
        raise UserError(f"没有编号为 {number} 的事项，请核对编号（发送“我的”或“待办”可查看）。")
    return matter
