"""Command words as people type them on a phone, and the table every command module registers into."""

from __future__ import annotations

import pytest

from handlers.commands import build_commands, split_command
from handlers.commands.registry import CommandRouter, Commands
from handlers.context import HandlerContext

# --- command words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word", "body"),
    [
        ("查询 TJ-2026-0001", "查询", "TJ-2026-0001"),
        ("  查询   TJ-2026-0001  ", "查询", "TJ-2026-0001"),
        ("查询\u3000TJ-2026-0001", "查询", "TJ-2026-0001"),  # the IME's full-width space
        ("查询\tTJ-2026-0001", "查询", "TJ-2026-0001"),
        ("/help", "help", ""),
        ("说不", "说不", ""),
        ("说不\n服务对象：张三", "说不", "服务对象：张三"),
        ("说不：服务对象：张三", "说不", "服务对象：张三"),
        ("说不:\n服务对象：张三", "说不", "服务对象：张三"),
        ("提级 服务对象：张三\n事项：x", "提级", "服务对象：张三\n事项：x"),
        ("说不\u3000服务对象：张三", "说不", "服务对象：张三"),
        ("理由：没有场地 建议：等批复", "理由", "没有场地 建议：等批复"),
        ("", "", ""),
        ("   \n  ", "", ""),
    ],
)
def test_split_command(text: str, word: str, body: str) -> None:
    assert split_command(text) == (word, body)


def test_command_table_has_every_word_and_alias() -> None:
    table = build_commands().words()
    for word in ("说不", "提级", "待办", "我的", "查询", "催办", "回复", "撤回", "意见", "清单", "在办", "逾期", "汇总",
                 "帮助"):  # fmt: skip
        assert word in table, word
    pairs = [("说不", "submit"), ("待办", "todo"), ("我的", "mine"), ("查询", "show"), ("催办", "nudge"),
             ("回复", "reply"), ("撤回", "withdraw"), ("意见", "comment"), ("清单", "catalog"), ("在办", "open"),
             ("逾期", "overdue"), ("汇总", "digest"), ("帮助", "help")]  # fmt: skip
    for chinese, english in pairs:
        assert table[chinese] is table[english], english
    assert table["说不"] is table["提级"]
    assert all(key == key.lower() for key in table)


def test_help_lists_every_command_once_in_the_order_people_need_them() -> None:
    usages = build_commands().usages()
    assert [u.split("：")[0].split(" ")[0] for u in usages] == [
        "说不", "待办", "我的", "查询", "催办", "回复", "撤回", "意见", "清单", "在办", "逾期", "汇总", "报送", "帮助"
    ]  # fmt: skip


def words_shown_to(*roles: str) -> list[str]:
    return [u.split("：")[0].split(" ")[0] for u in build_commands().usages(roles)]


def test_help_shows_staff_no_digest_no_confirmation_and_no_lists() -> None:
    shown = words_shown_to("staff")
    assert "汇总" not in shown and "报送" not in shown and "在办" not in shown and "逾期" not in shown
    assert {"说不", "待办", "我的", "查询", "催办", "回复", "撤回", "意见", "清单", "帮助"} <= set(shown)


def test_help_shows_leaders_and_the_office_what_they_may_use() -> None:
    for roles in (("staff", "office"), ("principal",)):
        assert {"在办", "逾期", "汇总", "报送"} <= set(words_shown_to(*roles)), roles
    for roles in (("deputy",), ("staff", "section_head"), ("discipline",)):
        shown = words_shown_to(*roles)
        assert {"在办", "逾期", "汇总"} <= set(shown) and "报送" not in shown, (
            roles
        )  # only principal or office


def test_a_word_registered_twice_is_refused() -> None:
    first, second = CommandRouter(), CommandRouter()

    async def handler(ctx: HandlerContext, body: str) -> str:
        return ""

    first.command("待办", usage="待办", rank=1)(handler)
    second.command("待办", usage="待办", rank=2)(handler)
    with pytest.raises(ValueError, match="twice"):
        Commands(first, second)
