"""One person's side of a card on each platform: what the platform shows them (read from the
simulator's API or from what the fake WeCom / fake DingTalk received) and a tap on a button, sent
the way that platform sends it. Kind-agnostic: cards are read by their labels and button texts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.clock import SimClock
from bot.messengers.dingtalk.frames import CARD_CALLBACK_TOPIC
from bot.messengers.dingtalk.signing import card_callback_sign
from bot.messengers.wecom.callback import PATH as WECOM_CALLBACK
from models.enums import Platform
from models.messaging import InboxEntry
from models.org import Person
from tests.fakes.dingtalk_openapi import CLIENT_SECRET, FakeCard, FakeDingTalk
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner, card_event_xml
from tests.support.stack import Stack


@dataclass(frozen=True)
class Seen:
    """A card as its recipient sees it."""

    fields: dict[str, str]  # label → value
    buttons: list[str]  # texts of the buttons that can be tapped
    status: str
    closed: bool


async def _recorded(prefix: str, before: int) -> None:
    """Until the router recorded one more event whose dedupe key starts with ``prefix``."""
    async with asyncio.timeout(10):
        while await InboxEntry.filter(key__startswith=prefix).count() <= before:  # noqa: ASYNC110 (the DB is the signal)
            await asyncio.sleep(0.05)


@dataclass
class SimulatorSide:
    stack: Stack
    platform = Platform.SIMULATOR
    event_prefix = "sim:click:"

    def register(self, person: Person) -> None:
        """Nothing to do: the simulator knows everyone in the org."""

    async def _items(self, person: Person) -> list[dict[str, Any]]:
        response = await self.stack.client.get(f"/sim/api/inbox/{person.handle}")
        assert response.status == 200, await response.text()
        items: list[dict[str, Any]] = await response.json()
        return items

    async def _card(self, person: Person, ref: str | None = None) -> dict[str, Any]:
        cards = [i["card"] for i in await self._items(person) if i["kind"] == "card"]
        cards = [c for c in cards if ref is None or c["ref"] == ref]
        assert cards, f"{person.handle} has no card"
        return cards[-1]

    async def seen(self, person: Person) -> Seen:
        card = await self._card(person)
        buttons = [] if card["closed"] else [b["text"] for b in card["buttons"]]
        return Seen(
            {label: value for label, value in card["fields"]}, buttons, card["status"], card["closed"]
        )

    async def tap(self, person: Person, ref: str, text: str) -> None:
        card = await self._card(person, ref)
        key = next(b["key"] for b in card["buttons"] if b["text"] == text)
        response = await self.stack.client.post(
            f"/sim/api/cards/{ref}/click", json={"by": person.handle, "key": key}
        )
        assert response.status == 200, await response.text()
        await self.stack.drain()

    async def texts(self, person: Person) -> list[str]:
        return [
            i["text"] for i in await self._items(person) if i["direction"] == "out" and i["kind"] == "text"
        ]


@dataclass
class WeComSide:
    stack: Stack
    fake: FakeWeCom
    signer: WeComSigner
    clock: SimClock
    platform = Platform.WECOM
    event_prefix = "wecom:card:"

    def register(self, person: Person) -> None:
        assert person.wecom_userid
        self.fake.add_user(person.wecom_userid, person.name)

    def _shown(self, person: Person) -> tuple[str, dict[str, Any]]:
        """The task id of the person's latest card, and its template_card as last sent or updated."""
        cards = self.fake.cards_to(str(person.wecom_userid))
        assert cards, f"{person.handle} got no WeCom card"
        task_id = str(cards[-1].card["task_id"])
        updates = [u["template_card"] for u in self.fake.updates if u["task_id"] == task_id]
        return task_id, updates[-1] if updates else cards[-1].card

    async def seen(self, person: Person) -> Seen:
        _, card = self._shown(person)
        closed = "replace_text" in card  # WeCom greys every button out and shows this text instead
        fields = {i["keyname"]: i["value"] for i in card["horizontal_content_list"]}
        buttons = [] if closed else [b["text"] for b in card["button_list"]]
        return Seen(fields, buttons, card["main_title"]["desc"], closed)

    async def tap(self, person: Person, ref: str, text: str) -> None:
        task_id, card = self._shown(person)
        assert task_id.split("@", 1)[0] == ref
        key = next(b["key"] for b in card["button_list"] if b["text"] == text)
        now = int(self.clock.now().timestamp())
        xml = card_event_xml(self.fake.corp_id, str(person.wecom_userid), task_id=task_id, event_key=key,
                             response_code=self.fake.click(task_id), create_time=now,
                             agent_id=self.fake.agent_id)  # fmt: skip
        before = await InboxEntry.filter(key__startswith=self.event_prefix).count()
        query, body = self.signer.envelope(xml, str(now), self.fake.agent_id)
        response = await self.stack.client.post(WECOM_CALLBACK, params=query, data=body)
        assert response.status == 200 and await response.text() == ""
        await self.stack.apply_inbound()  # what the worker does next
        await _recorded(self.event_prefix, before)
        await self.stack.drain()

    async def texts(self, person: Person) -> list[str]:
        return self.fake.texts_to(str(person.wecom_userid))


@dataclass
class DingTalkSide:
    stack: Stack
    fake: FakeDingTalk
    mode: str  # "stream" | "http"
    platform = Platform.DINGTALK
    event_prefix = "dingtalk:card:"

    def register(self, person: Person) -> None:
        assert person.dingtalk_userid

    def _card(self, person: Person) -> FakeCard:
        cards = self.fake.cards_to(str(person.dingtalk_userid))
        assert cards, f"{person.handle} got no DingTalk card"
        return cards[-1]

    async def seen(self, person: Person) -> Seen:
        view = self._card(person).view()
        fields = dict(line.split("：", 1) for line in view.lines[1:] if "：" in line)
        status = fields.pop("状态", "")
        fields.pop("处理结果", None)
        # An openLink button (the card's page) is a link, not an action: a shut card still shows it.
        actions = [b.text for b in view.buttons if not b.url]
        return Seen(fields, actions, status, closed=not actions)

    async def tap(self, person: Person, ref: str, text: str) -> None:
        card = self._card(person)
        assert card.out_track_id == ref
        data = {
            "type": "actionCallback",
            "outTrackId": ref,
            "corpId": "dingcorp",
            "userId": person.dingtalk_userid,
            "content": card.view().button(text).callback_content(),
        }
        before = await InboxEntry.filter(key__startswith=self.event_prefix).count()
        if self.mode == "stream":
            assert self.fake.gateway is not None
            await self.fake.gateway.callback(CARD_CALLBACK_TOPIC, data)
        else:
            now = str(int(self.stack.resources.clock.now().timestamp() * 1000))
            headers = {
                "x-ddpaas-signature-timestamp": now,
                "x-ddpaas-signature": card_callback_sign(now, CLIENT_SECRET),
            }
            response = await self.stack.client.post("/dingtalk/card", json=data, headers=headers)
            assert response.status == 200, await response.text()
        await _recorded(self.event_prefix, before)
        await self.stack.drain()

    async def texts(self, person: Person) -> list[str]:
        return self.fake.texts_to(str(person.dingtalk_userid))
