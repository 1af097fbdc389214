"""The simulator messenger: "delivers" by writing conversation items the `/sim` page shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from bot.cards import Card
from bot.messengers.simulator import store
from bot.outbound import Attachment, CardDelivery, DeliveryError, GroupTarget, Recipient
from bot.runtime.resources import Resources
from models.enums import Platform, SimDirection, SimKind
from models.org import GroupChannel, Person


class SimulatorMessenger:
    """Implements ``bot.outbound.Messenger``; ``Recipient.user_id`` is the person's handle."""

    platform = Platform.SIMULATOR

    def __init__(self, resources: Resources) -> None:
        self._resources = resources

    async def _organisation_of(self, to: Recipient) -> int:
        person = await Person.get_or_none(id=to.person_id)
        if person is None:
            raise DeliveryError(f"模拟器：找不到收件人 {to.name}（person {to.person_id}）", transient=False)
        return int(person.organisation_id)

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        await store.write(
            self._resources.redis,
            organisation_id=await self._organisation_of(to),
            channel=store.user_channel(to.user_id),
            direction=SimDirection.OUT,
            kind=SimKind.TEXT,
            text=text,
            at=self._resources.clock.now(),
            dedupe_key=dedupe_key,
        )

    async def send_file(self, to: Recipient, attachment: Attachment, *, dedupe_key: str) -> None:
        """A downloadable file in the person's chat (the page links it)."""
        await store.write(
            self._resources.redis,
            organisation_id=await self._organisation_of(to),
            channel=store.user_channel(to.user_id),
            direction=SimDirection.OUT,
            kind=SimKind.FILE,
            text=f"文件：{attachment.filename}",
            attachment_name=attachment.filename,
            attachment_type=attachment.content_type,
            attachment=attachment.content,
            at=self._resources.clock.now(),
            dedupe_key=dedupe_key,
        )

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        channel = store.user_channel(to.user_id)
        await store.write(
            self._resources.redis,
            organisation_id=await self._organisation_of(to),
            channel=channel,
            direction=SimDirection.OUT,
            kind=SimKind.CARD,
            text=card.title,
            card=card.as_dict(),
            at=self._resources.clock.now(),
            dedupe_key=dedupe_key,
        )
        return CardDelivery(state={"sim_channel": channel})

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        """Rewrite the card wherever it was delivered; a card never delivered is delivered now."""
        organisation_id = await self._organisation_of(to)
        changed = await store.rewrite_card(
            self._resources.redis, organisation_id=organisation_id, card=card.as_dict()
        )
        if changed == 0:
            return await self.send_card(to, card, dedupe_key=dedupe_key)
        return CardDelivery(state={"sim_channel": store.user_channel(to.user_id)})

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        row = await GroupChannel.get_or_none(id=group.group_id)
        if row is None:
            raise DeliveryError(f"模拟器：找不到群 {group.name}（group {group.group_id}）", transient=False)
        await store.write(
            self._resources.redis,
            organisation_id=int(row.organisation_id),
            channel=store.group_channel(group.group_id),
            direction=SimDirection.OUT,
            kind=SimKind.TEXT if attachment is None else SimKind.FILE,
            text=markdown,
            attachment_name=None if attachment is None else attachment.filename,
            attachment_type=None if attachment is None else attachment.content_type,
            attachment=None if attachment is None else attachment.content,
            at=self._resources.clock.now(),
            dedupe_key=dedupe_key,
        )

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        return True
