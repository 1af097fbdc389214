"""A messenger wrapper that counts what reached the platform: every call, per kind and recipient."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from bot.cards import Card
from bot.outbound import Attachment, CardDelivery, GroupTarget, Messenger, Recipient


class CountingMessenger:
    """Passes every call to ``inner`` and records it (``calls``: kind, user id, card status)."""

    def __init__(self, inner: Messenger) -> None:
        self.inner = inner
        self.platform = inner.platform
        self.calls: list[tuple[str, str, str]] = []

    def count(self, kind: str, user_id: str | None = None) -> int:
        return sum(1 for k, u, _ in self.calls if k == kind and (user_id is None or u == user_id))

    def per_message(self) -> Counter[tuple[str, str, str]]:
        return Counter(self.calls)

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        await self.inner.send_text(to, text, markdown=markdown, dedupe_key=dedupe_key)
        self.calls.append(("text", to.user_id, text))

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        delivery = await self.inner.send_card(to, card, dedupe_key=dedupe_key)
        self.calls.append(("card", to.user_id, card.status))
        return delivery

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        delivery = await self.inner.update_card(to, card, state=state, dedupe_key=dedupe_key)
        self.calls.append(("card_update", to.user_id, card.status))
        return delivery

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        await self.inner.post_to_group(group, markdown, attachment=attachment, dedupe_key=dedupe_key)
        self.calls.append(("group", group.code, markdown))

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        return self.inner.card_updatable(state, now)
