"""Routes neutral events to handlers: resolves the sender, dedupes, and answers.

Every adapter calls ``Router.handle(event)`` after verifying and parsing a callback. It applies the
event in one transaction (inbox row, state change, audit, outbox) and returns the immediate reply;
messages go out through the outbox afterwards.
"""

from __future__ import annotations

import logging

from bot.events import CardAction, Event, FileMessage, Reply, TextMessage
from bot.runtime.resources import Resources
from handlers.cards import build_card_router
from handlers.commands import build_commands
from handlers.dispatch import dispatch_card_action, dispatch_file, dispatch_text

log = logging.getLogger(__name__)


class Router:
    def __init__(self, resources: Resources) -> None:
        self.resources = resources
        self.commands = build_commands()
        self.cards = build_card_router()  # taps by card kind; more kinds can be included

    async def handle(self, event: Event) -> Reply:
        """Apply one inbound event. Never raises for bad input: the reply says what to fix."""
        if isinstance(event, TextMessage):
            return await dispatch_text(self.resources, self.commands, event)
        if isinstance(event, CardAction):
            return await dispatch_card_action(self.resources, self.cards, event)
        if isinstance(event, FileMessage):
            return await dispatch_file(self.resources, event)
        raise TypeError(f"unknown event {event!r}")
