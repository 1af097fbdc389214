"""Chat commands: one router per module; ``build_commands`` joins them (built once by the router)."""

from __future__ import annotations

from handlers.commands import decisions, digest, lifecycle, queries, reference, submit
from handlers.commands.registry import Commands, CommandSpec, split_command

__all__ = ["CommandSpec", "Commands", "build_commands", "split_command"]


def build_commands() -> Commands:
    return Commands(
        submit.router, decisions.router, queries.router, lifecycle.router, reference.router, digest.router
    )
