"""Chat commands: a small router of command words (Chinese first, English aliases) to handlers."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cache

from handlers.context import HandlerContext

CommandHandler = Callable[[HandlerContext, str], Awaitable[str]]


@dataclass(frozen=True)
class CommandSpec:
    names: tuple[str, ...]
    handler: CommandHandler
    usage: str


def split_command(text: str) -> tuple[str, str]:
    """``"查询 TJ-2026-0001"`` → ``("查询", "TJ-2026-0001")``; the first line's first word is the command."""
    stripped = text.strip().lstrip("/")
    if not stripped:
        return "", ""
    first_line, _, rest = stripped.partition("\n")
    # Any whitespace ends the word: phone IMEs type the full-width space U+3000.
    word, _, tail = re.sub(r"\s", " ", first_line.strip(), count=1).partition(" ")
    if "：" in word or ":" in word:  # "说不：" typed with a colon
        word, _, tail2 = word.replace(":", "：").partition("：")
        tail = f"{tail2} {tail}".strip()
    body = "\n".join(part for part in (tail.strip(), rest) if part)
    return word.strip(), body


@cache
def command_table() -> dict[str, CommandSpec]:
    """Every command word (lower-cased) → its spec."""
    from handlers.commands import decisions, digest, lifecycle, queries, reference, submit

    specs = [
        CommandSpec(("说不", "提级", "submit"), submit.handle_submit, "说不 / 提级：提交说“不”事项（不带内容时回复审批表模板）"),
        CommandSpec(("待办", "todo"), decisions.handle_todo, "待办：我待审批的事项（重新发送审批卡片）"),
        CommandSpec(("我的", "mine"), queries.handle_mine, "我的：我提交的事项及进度"),
        CommandSpec(("查询", "show"), queries.handle_show, "查询 编号：事项的全过程"),
        CommandSpec(("回复", "reply"), lifecycle.handle_reply, "回复 编号 电话|书面 内容：登记对申请人的回复"),
        CommandSpec(("撤回", "withdraw"), lifecycle.handle_withdraw, "撤回 编号：撤回我提交、尚在审批中的事项"),
        CommandSpec(("意见", "comment"), decisions.handle_comment, "意见 编号 内容：填写我的审批意见（不能办时：理由：… 建议：…）"),
        CommandSpec(("清单", "catalog"), reference.handle_catalog, "清单 [股室]：说“不”提级管理事项清单"),
        CommandSpec(("汇总", "digest"), digest.handle_digest, "汇总 [2026Q3]：季度汇总"),
        CommandSpec(("报送", "confirm"), digest.handle_confirm, "报送 [2026Q4]：确认本单位季度汇总表已报送（主要领导或办公室）"),
        CommandSpec(("帮助", "help", "?", "？"), reference.handle_help, "帮助：查看用法"),
    ]  # fmt: skip
    return {name.lower(): spec for spec in specs for name in spec.names}
