"""The whole flow through ``/wecom/callback`` and the fake WeCom API, on the real stack.

A staff member submits by chat, the section head, the deputy and the principal decide from real
template cards (the clicks come back encrypted as WeCom sends them), the clicked cards are updated
for everyone through ``update_template_card``, reminders and the quarterly digest (with the 汇总表
.xlsx) arrive. On the way: duplicate deliveries, a click by someone who is not the approver, a
click on a stale card, a token WeCom expired early, and a 45009 rate limit.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import yaml
from arq import Retry

from bot.clock import SimClock
from bot.messengers.wecom.callback import PATH
from bot.outbox.delivery import deliver
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import RefusalCategory
from models.matter import Matter
from models.messaging import OutboxMessage
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.fakes.wecom_api import Delivery, FakeWeCom
from tests.fakes.wecom_callback import WeComSigner, card_event_xml, text_xml
from tests.support.stack import EXAMPLE_ORG, Stack, running_stack

FORM = "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全"
STAFF, HEAD, DEPUTY, PRINCIPAL, COLLEAGUE = "Zhangwei", "Chenguoqing", "Liminghua", "Wangjianguo", "Wangfang"


@dataclass
class WeComWorld:
    stack: Stack
    fake: FakeWeCom
    signer: WeComSigner
    clock: SimClock
    _ids: itertools.count[int]

    def _ts(self) -> int:
        return int(self.clock.now().timestamp())

    async def deliver(self, plaintext: str) -> None:
        query, body = self.signer.envelope(plaintext, str(self._ts()), self.fake.agent_id)
        resp = await self.stack.client.post(PATH, params=query, data=body)
        assert resp.status == 200 and await resp.text() == ""
        await self.stack.apply_inbound()  # what the worker does next

    async def say(self, userid: str, text: str, *, drain: bool = True) -> str:
        msg_id = str(next(self._ids))
        xml = text_xml(self.fake.corp_id, userid, text, msg_id=msg_id, create_time=self._ts(),
                       agent_id=self.fake.agent_id)  # fmt: skip
        await self.deliver(xml)
        if drain:
            await self.stack.drain()
        return xml

    async def click(
        self, userid: str, card: Delivery, key: str, selected: dict[str, str] | None = None
    ) -> str:
        task_id = card.card["task_id"]
        xml = card_event_xml(self.fake.corp_id, userid, task_id=task_id, event_key=key,
                             response_code=self.fake.click(task_id), create_time=self._ts(),
                             agent_id=self.fake.agent_id,
                             selected={k: [v] for k, v in (selected or {}).items()})  # fmt: skip
        await self.deliver(xml)
        await self.stack.drain()
        self.clock.advance(dt.timedelta(seconds=2))  # the next click has another CreateTime
        return xml

    def card(self, userid: str) -> Delivery:
        cards = self.fake.cards_to(userid)
        assert cards, f"{userid} got no card"
        return cards[-1]

    def last_text(self, userid: str) -> str:
        texts = self.fake.texts_to(userid)
        assert texts, f"{userid} got no text"
        return texts[-1]

    def updates_of(self, card: Delivery) -> list[dict[str, object]]:
        return [u for u in self.fake.updates if u["task_id"] == card.card["task_id"]]


@pytest.fixture
async def world(
    settings: Settings, clock: SimClock, db: None, fake: FakeWeCom, signer: WeComSigner
) -> AsyncIterator[WeComWorld]:
    org = yaml.safe_load(EXAMPLE_ORG.read_text(encoding="utf-8"))
    for person in org["people"]:
        if person.get("wecom_userid"):
            fake.add_user(person["wecom_userid"], person["name"], str(person.get("phone", "")))
    fake.chats |= {g["wecom_chat_id"] for g in org["groups"] if g.get("wecom_chat_id")}
    wecom_settings = settings.model_copy(update=wecom_fields(fake))
    async with running_stack(wecom_settings, clock) as stack:
        await stack.import_org()
        yield WeComWorld(stack, fake, signer, clock, itertools.count(7000000000000000001))


async def test_submit_and_three_leaders_decide_from_wecom_cards(world: WeComWorld) -> None:
    fake = world.fake
    # Submitted by chat; WeCom delivers the message three times (no answer seen in time).
    xml = await world.say(STAFF, FORM)
    await world.deliver(xml)
    await world.deliver(xml)
    await world.stack.drain()
    assert await Matter.all().count() == 1
    assert "TJ-2026-0001" in world.last_text(STAFF)
    [head_card] = fake.cards_to(HEAD)
    assert "TJ-2026-0001" in head_card.card["main_title"]["title"]
    assert [b["key"] for b in head_card.card["button_list"]] == ["can_do", "escalate"]
    assert head_card.body["enable_duplicate_check"] == 1

    # A colleague taps the head's card: nothing changes, the card is not touched.
    await world.click(COLLEAGUE, head_card, "can_do")
    assert "陈国庆" in world.last_text(COLLEAGUE)
    assert world.updates_of(head_card) == [] and (await Matter.get()).level == 2

    # WeCom expired the token early; the head escalates; the click is delivered twice.
    fake.expire_tokens()
    tokens_before = fake.gettoken_calls
    click = await world.click(HEAD, head_card, "escalate")
    await world.deliver(click)
    await world.stack.drain()
    assert fake.gettoken_calls == tokens_before + 1
    [update] = world.updates_of(head_card)
    assert update["atall"] == 1
    assert "已提级至" in str(update["template_card"]) and "李明华" in str(update["template_card"])
    assert len(fake.cards_to(DEPUTY)) == 1  # one escalation, not two

    # The head taps his old card again: stale, nothing happens.
    await world.click(HEAD, head_card, "can_do")
    assert "已由 陈国庆" in world.last_text(HEAD)
    assert len(fake.cards_to(DEPUTY)) == 1 and (await Matter.get()).level == 3

    deputy_card = world.card(DEPUTY)
    await world.click(DEPUTY, deputy_card, "escalate")
    principal_card = world.card(PRINCIPAL)
    # One 确认不能办 button per category (within WeCom's six), and no selection to pre-select one.
    assert [b["key"] for b in principal_card.card["button_list"]] == [
        "can_do",
        "confirm_no?refusal_category=law",
        "confirm_no?refusal_category=conditions",
        "confirm_no?refusal_category=other",
    ]
    assert "button_selection" not in principal_card.card
    assert len({c.card["task_id"] for c in fake.sent if c.msgtype == "template_card"}) == 3

    # Level 4: refuse with a category; the words come by chat afterwards.
    await world.click(PRINCIPAL, principal_card, "confirm_no?refusal_category=law")
    assert "理由" in world.last_text(PRINCIPAL)
    instance = await CardInstance.get(recipient__wecom_userid=PRINCIPAL)
    assert instance.platform_state["response_code"] in {
        u["response_code"] for u in world.updates_of(principal_card)
    }
    # Merged with what the send stored, not written over it.
    assert instance.platform_state["task_id"] == principal_card.card["task_id"]
    await world.say(PRINCIPAL, "理由：延续申请须提交年度审验合格证明\n建议：补齐年审合格证明后可当场办理")
    matter = await Matter.get()
    assert matter.state == "refused" and matter.refusal_category is RefusalCategory.LAW
    assert "补齐年审合格证明后可当场办理" in world.last_text(STAFF)
    final = world.updates_of(principal_card)[-1]["template_card"]
    assert isinstance(final, dict) and final.get("replace_text")  # the card closed without a new click
    assert await OutboxMessage.filter(status="failed").count() == 0
    assert await OutboxMessage.filter(status="pending").count() == 0
    assert fake.dropped == []


async def test_rate_limited_delivery_is_retried_later(world: WeComWorld) -> None:
    fake = world.fake
    await world.say(STAFF, FORM, drain=False)
    fake.fail("/cgi-bin/message/send", 45009)
    rows = await OutboxMessage.filter(status="pending").order_by("id")
    assert rows
    with pytest.raises(Retry):
        await deliver({"resources": world.stack.resources}, rows[0].id)
    row = await OutboxMessage.get(id=rows[0].id)
    assert row.status == "pending" and "45009" in row.last_error
    # WeCom's block lasts 60 s: let it pass (the pause is kept in Redis with a real TTL).
    world.clock.advance(dt.timedelta(seconds=61))
    await world.stack.resources.redis.delete(*await world.stack.resources.redis.keys("wecom:pause:*"))
    await world.stack.drain()
    assert await OutboxMessage.filter(status="pending").count() == 0
    assert await OutboxMessage.filter(status="failed").count() == 0
    assert len(fake.cards_to(HEAD)) == 1 and "TJ-2026-0001" in world.last_text(STAFF)


async def test_reminders_and_the_quarterly_digest_arrive(world: WeComWorld) -> None:
    fake = world.fake
    await world.say(STAFF, FORM)
    # Past the reminder threshold in working hours, the head is reminded.
    world.clock.advance(dt.timedelta(hours=6))
    await world.stack.tick()
    assert any("TJ-2026-0001" in t for t in fake.texts_to(HEAD)), fake.texts_to(HEAD)
    # First working day of the next quarter: the digest goes to the office group with the 汇总表.
    world.clock.set(dt.datetime(2027, 1, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    await world.stack.tick()
    office = [m for m in fake.appchat if m["chatid"] == "tijiOffice"]
    assert any(m["msgtype"] == "markdown" and "2026" in m["markdown"]["content"] for m in office), office
    files = [m for m in office if m["msgtype"] == "file"]
    assert files
    name, content = fake.media[files[0]["file"]["media_id"]]
    assert name.endswith(".xlsx") and content[:2] == b"PK"
    assert {g for g in fake.chats} <= {m["chatid"] for m in fake.appchat}  # every WeCom group got it
    # (The example org's 执法大队 group is on DingTalk, not configured here: only that one fails.)
    assert await OutboxMessage.filter(status="failed", platform="wecom").count() == 0


async def test_the_same_command_twice_within_half_an_hour_gets_two_answers(world: WeComWorld) -> None:
    """WeCom silently drops a byte-identical message/send with enable_duplicate_check inside its
    interval (the fake does too): answers to commands must not carry it (finding 14)."""
    fake = world.fake
    await world.say(STAFF, FORM)
    for command in ("查询 TJ-2026-0001", "帮助"):
        before = len(fake.texts_to(STAFF))
        await world.say(STAFF, command)
        world.clock.advance(dt.timedelta(minutes=5))
        await world.say(STAFF, command)
        answers = fake.texts_to(STAFF)[before:]
        assert len(answers) == 2 and answers[0] == answers[1], (command, answers)
        assert ("TJ-2026-0001" if command.startswith("查询") else "张伟，您好") in answers[0]
    assert fake.duplicates == 0
    texts = [d for d in fake.sent if d.msgtype in ("text", "markdown")]
    assert texts and not any("enable_duplicate_check" in d.body for d in texts)
    # Cards keep the check: their task_id differs per delivery, so only a resend of one matches.
    assert all(d.body["enable_duplicate_check"] == 1 for d in fake.sent if d.msgtype == "template_card")
