"""回复 (record the reply to the applicant) and 撤回 (withdraw my pending matter)."""

from __future__ import annotations

import re

from bot.errors import UserError
from bot.matters.closing import record_reply, withdraw
from bot.matters.forms import normalise_phone
from handlers.commands.common import find_matter, split_number
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.enums import ReplyMethod, WithdrawReason

router = CommandRouter()

REPLY_USAGE = "回复 编号 电话|书面 内容，如：回复 TJ-2026-0001 电话 已告知申请人补齐材料后再来办理"
METHODS = {
    "电话": ReplyMethod.PHONE,
    "书面": ReplyMethod.WRITTEN,
    "phone": ReplyMethod.PHONE,
    "written": ReplyMethod.WRITTEN,
}


@router.command("回复", "reply", usage="回复 编号 电话|书面 内容：登记对申请人的回复", rank=50)
async def handle_reply(ctx: HandlerContext, body: str) -> str:
    number, rest = split_number(body, REPLY_USAGE)
    method_word, _, content = re.sub(r"[^\S\n]", " ", rest, count=1).partition(" ")  # \u3000 too
    if "\n" in method_word:
        method_word, _, more = method_word.partition("\n")
        content = f"{more} {content}".strip()
    method = METHODS.get(method_word.strip().lower())
    if method is None:
        raise UserError(f"请写明回复方式“电话”或“书面”。用法：{REPLY_USAGE}")
    content = content.strip()
    if not content:
        raise UserError(f"缺少回复内容（向申请人说明了什么）。用法：{REPLY_USAGE}")
    matter = await find_matter(ctx, number)
    if matter.submitter_id != ctx.person.id:
        raise UserError(f"{matter.number} 不是您提交的事项，只有首问责任人可以登记回复。")
    callee = matter.applicant_phone if method is ReplyMethod.PHONE else ""
    first, _, remainder = content.partition(" ")
    phone = normalise_phone(first) if method is ReplyMethod.PHONE else None
    if phone and remainder.strip():
        callee, content = phone, remainder.strip()
    result = await record_reply(ctx.batch, ctx.person, matter, method, content, callee)
    return result.message


WITHDRAW_USAGE = (
    "撤回 编号 原因（申请人撤回申请 / 误报 / 其他原因的说明），如：撤回 TJ-2026-0001 申请人撤回申请"
)
WITHDRAW_WORDS = {
    "申请人撤回申请": WithdrawReason.APPLICANT,
    "申请人撤回": WithdrawReason.APPLICANT,
    "申请人撤销申请": WithdrawReason.APPLICANT,
    "误报": WithdrawReason.MISREPORT,
    "误报事项": WithdrawReason.MISREPORT,
    "报错了": WithdrawReason.MISREPORT,
}


def withdraw_reason(words: str) -> tuple[WithdrawReason, str]:
    """The reason typed after the number: one of the named reasons (words after it are a note),
    or any other words (其他, the words are the note)."""
    text = words.strip()
    if not text:
        raise UserError(f"撤回需要写明原因。用法：{WITHDRAW_USAGE}")
    for word, reason in WITHDRAW_WORDS.items():
        if text == word or text.startswith((f"{word} ", f"{word}，", f"{word},", f"{word}：", f"{word}:")):
            return reason, text[len(word) :].strip(" ，,：:")
    text = re.sub(r"^其他[\s，,：:]*", "", text)
    if not text:
        raise UserError(f"请写明其他原因是什么。用法：{WITHDRAW_USAGE}")
    return WithdrawReason.OTHER, text


@router.command("撤回", "withdraw", usage="撤回 编号 原因：撤回我提交、尚在审批中的事项", rank=60)
async def handle_withdraw(ctx: HandlerContext, body: str) -> str:
    number, words = split_number(body, WITHDRAW_USAGE)
    matter = await find_matter(ctx, number)
    if matter.submitter_id != ctx.person.id:
        raise UserError(f"{matter.number} 不是您提交的事项，只有提交人可以撤回。")
    reason, note = withdraw_reason(words)
    result = await withdraw(ctx.batch, ctx.person, matter, reason, note)
    return result.message
