"""Chat command routers, aiogram-style: each module has a ``CommandRouter`` and registers its handlers
with ``@router.command("待办", "todo", usage=…)``; ``Commands`` joins the routers of every module."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from handlers.context import HandlerContext
from models.org import Role

CommandHandler = Callable[[HandlerContext, str], Awaitable[str]]


@dataclass(frozen=True)
class CommandSpec:
    names: tuple[str, ...]
    handler: CommandHandler
    usage: str
    rank: int  # where 帮助 lists the command (the order people need them, not the module order)
    # Who sees the command in 帮助 (empty: everyone). The handler still checks who may use it.
    roles: frozenset[Role] = frozenset()

    def shown_to(self, roles: Iterable[str]) -> bool:
        return not self.roles or any(role in self.roles for role in roles)


class CommandRouter:
    """The commands of one module."""

    def __init__(self) -> None:
        self.specs: list[CommandSpec] = []

    def command(
        self, *names: str, usage: str, rank: int, roles: Iterable[Role] = ()
    ) -> Callable[[CommandHandler], CommandHandler]:
        """Register the decorated handler under ``names`` (Chinese first, then English aliases);
        ``roles``: the roles 帮助 shows it to (none given: everyone)."""

        def register(handler: CommandHandler) -> CommandHandler:
            self.specs.append(CommandSpec(names, handler, usage, rank, frozenset(roles)))
            return handler

        return register


class Commands:
    """Every command word (lower-cased) → its spec, from the routers given."""

    def __init__(self, *routers: CommandRouter) -> None:
        self._specs = sorted((spec for router in routers for spec in router.specs), key=lambda s: s.rank)
        self._by_word: dict[str, CommandSpec] = {}
        for spec in self._specs:
            for name in spec.names:
                if name.lower() in self._by_word:
                    raise ValueError(f"command word {name!r} registered twice")
                self._by_word[name.lower()] = spec

    def get(self, word: str) -> CommandSpec | None:
        return self._by_word.get(word.lower())

    def words(self) -> dict[str, CommandSpec]:
        return dict(self._by_word)

    def usages(self, roles: Iterable[str] | None = None) -> tuple[str, ...]:
        """One line per command, in 帮助's order: every command, or those shown to ``roles``."""
        held = None if roles is None else list(roles)
        return tuple(spec.usage for spec in self._specs if held is None or spec.shown_to(held))


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
