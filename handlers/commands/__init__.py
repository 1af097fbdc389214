"""Chat commands: one router per module; ``build_commands`` joins them (built once by the router)."""

from __future__ import annotations

from handlers.commands import decisions, digest, lifecycle, nudge, queries, reference, submit, watch
from handlers.commands.registry import Commands, CommandSpec, split_command

__all__ = ["CommandSpec", "Commands", "build_commands", "split_command"]


def build_commands() -> Commands:
    return Commands(
        submit.router,
        decisions.router,
        queries.router,
        nudge.router,
        lifecycle.router,
        reference.router,
        watch.router,
        digest.router,
    )
