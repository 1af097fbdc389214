"""Neutral outbound types: the ``Messenger`` protocol every platform adapter implements and what it
sends and returns (the mirror of ``bot.events`` for the way out). The outbox, delivery and reports use
these without knowing any platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from bot.cards import Card
from models.enums import Platform

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Attachment:
    """An outbound file (the quarter's .xlsx): sent after a text to a person (`Messenger.send_file`)
    or with a group post. Each platform uploads it (media upload) and sends a file message."""

    filename: str
    content: bytes
    content_type: str = XLSX_TYPE

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True, slots=True)
class Recipient:
    """A person as one platform addresses them."""

    person_id: int
    user_id: str  # platform user id (WeCom userid, DingTalk staffId, simulator handle)
    name: str


@dataclass(frozen=True, slots=True)
class GroupTarget:
    """A group channel as one platform addresses it."""

    group_id: int
    code: str
    name: str
    chat_id: str | None = None  # WeCom appchat chatid / DingTalk openConversationId
    webhook: str | None = None  # group robot webhook key or URL
    webhook_secret: str | None = None


@dataclass(frozen=True, slots=True)
class CardDelivery:
    """What a platform returned for a delivered card, kept with the card for later updates."""

    state: Mapping[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """A message could not be delivered.

    ``transient`` errors are retried with back-off; the others are marked failed and shown to
    the office. ``retry_after`` (seconds) is a hint from the platform (rate limits).
    ``rate_limited`` errors (a send limit reached, ours or the platform's answer) wait and are
    never given up for it: they count no attempt.
    """

    def __init__(
        self, message: str, *, transient: bool, retry_after: float | None = None, rate_limited: bool = False
    ) -> None:
        super().__init__(message)
        self.transient = transient or rate_limited
        self.retry_after = retry_after
        self.rate_limited = rate_limited


class RateLimited(DeliveryError):
    """A platform's send limit is reached (WeCom 30/min per member, robots 20/min): the message
    waits ``retry_after`` seconds and is never given up for it (no attempt is counted)."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message, transient=True, retry_after=retry_after, rate_limited=True)


@runtime_checkable
class Messenger(Protocol):
    """Outbound side of a platform. Implementations must be safe to call concurrently."""

    platform: Platform

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None: ...

    async def send_file(self, to: Recipient, attachment: Attachment, *, dedupe_key: str) -> None:
        """Send ``attachment`` to a person as a file message (uploaded first where the platform
        needs it); a DeliveryError(transient=False) when it is over the platform's size limit."""
        ...

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery: ...

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        """Show ``card``'s new status on a delivered card; ``state`` is from the last delivery."""
        ...

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None: ...

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        """Whether a delivered card can still be updated (WeCom's response codes expire)."""
        ...
