"""The whole 说“不”提级 flow on DingTalk, over Stream and over HTTP callbacks, through the real stack
(web app, router, handlers, outbox, arq worker) against the fake DingTalk.

Also: DingTalk and WeCom side by side in one organisation, each person reached on their platform.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.clock import SimClock
from bot.messengers.dingtalk.cards import side_panel_url
from bot.messengers.dingtalk.frames import BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC
from bot.messengers.dingtalk.signing import card_callback_sign, robot_sign
from bot.messengers.dingtalk.stream import run_stream
from bot.runtime.resources import ROUTER
from bot.settings import Settings
from models.enums import RefusalCategory
from models.matter import Matter
from models.messaging import InboxEntry, OutboxMessage
from models.org import Person
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.fakes.dingtalk_card_template import CardView
from tests.fakes.dingtalk_openapi import CLIENT_SECRET, FakeCard, FakeDingTalk
from tests.fakes.wecom_api import FakeWeCom
from tests.support.stack import Stack, running_stack

pytestmark = pytest.mark.timeout(120)

FORM = "说不\n服务对象：桐柏县顺达物流有限公司\n联系电话：13800002222\n事项：罚没款异地缴纳后车辆放行\n拟说不理由：缴款凭证未到账"
PUBLIC_URL = "https://tiji.example.gov.cn"


@dataclass
class DingTalkUser:
    """Drives one side of the conversation as DingTalk would: pushes over Stream or HTTP posts."""

    stack: Stack
    fake: FakeDingTalk
    mode: str
    seq: int = 0

    async def userid(self, handle: str) -> str:
        person = await Person.get(handle=handle)
        assert person.dingtalk_userid
        return person.dingtalk_userid

    async def say(self, handle: str, text: str) -> None:
        self.seq += 1
        msg_id = f"msg{self.seq:04d}"
        data = {
            "conversationType": "1",
            "conversationId": f"cid-{handle}",
            "senderStaffId": await self.userid(handle),
            "senderId": "$:LWCP_v1:$opaque",
            "senderNick": handle,
            "msgId": msg_id,
            "msgtype": "text",
            "text": {"content": text},
            "robotCode": self.fake.client_id,
        }
        await self._deliver(BOT_MESSAGE_TOPIC, data, f"dingtalk:msg:{msg_id}")

    async def click(
        self, handle: str, card: FakeCard, action: str, selected: dict[str, str] | None = None
    ) -> None:
        """Tap the card's button for ``action`` (and the option in ``selected``), as DingTalk sends it."""
        userid = await self.userid(handle)
        button = card.shown_button(action, *(selected or {}).values())
        data = {
            "type": "actionCallback",
            "outTrackId": card.out_track_id,
            "corpId": "dingcorp",
            "userId": userid,
            "content": button.callback_content(),
        }
        await self._deliver(CARD_CALLBACK_TOPIC, data, f"dingtalk:card:{card.out_track_id}:{userid}:{action}")

    async def _deliver(self, topic: str, data: dict[str, Any], key: str | None) -> None:
        """Push or post ``data``; then wait until the router recorded ``key`` (None: nothing is recorded)."""
        if self.mode == "stream":
            assert self.fake.gateway is not None
            await self.fake.gateway.callback(topic, data)
        else:
            now = str(int(self.stack.resources.clock.now().timestamp() * 1000))
            if topic == BOT_MESSAGE_TOPIC:
                path, headers = "/dingtalk/robot", {"timestamp": now, "sign": robot_sign(now, CLIENT_SECRET)}
            else:
                path = "/dingtalk/card"
                headers = {
                    "x-ddpaas-signature-timestamp": now,
                    "x-ddpaas-signature": card_callback_sign(now, CLIENT_SECRET),
                }
            response = await self.stack.client.post(path, json=data, headers=headers)
            assert response.status == 200, await response.text()
        if key is not None:
            await applied(key)
        await self.stack.drain()


async def applied(key: str) -> None:
    """Until the router has recorded the event (card answers may come before the work is done)."""
    async with asyncio.timeout(10):
        while not await InboxEntry.filter(key=key).exists():  # noqa: ASYNC110 (the DB is the signal)
            await asyncio.sleep(0.05)


@pytest.fixture(params=["stream", "http"])
async def flow(
    request: pytest.FixtureRequest, settings: Settings, clock: SimClock, db: None, fake: FakeDingTalk
) -> AsyncIterator[DingTalkUser]:
    """The stack with DingTalk configured in one mode, the example org imported, the zfdd unit on DingTalk."""
    mode = str(request.param)
    extra: dict[str, object] = {"dingtalk_mode": mode}
    if mode == "http":
        extra["public_url"] = PUBLIC_URL
    async with running_stack(dingtalk_settings(settings, fake, **extra), clock) as stack:
        await stack.import_org()
        stop = asyncio.Event()
        stream = asyncio.create_task(run_stream(stack.resources, stack.app[ROUTER], stop))
        try:
            if mode == "stream":
                assert fake.gateway is not None
                await fake.gateway.wait_connected()
            yield DingTalkUser(stack, fake, mode)
        finally:
            stop.set()
            await asyncio.wait_for(stream, 10)


async def dingtalk_card(user: DingTalkUser, handle: str) -> FakeCard:
    cards = user.fake.cards_to(await user.userid(handle))
    assert cards, f"{handle} got no DingTalk card"
    return cards[-1]


async def texts(user: DingTalkUser, handle: str) -> list[str]:
    return user.fake.texts_to(await user.userid(handle))


def taps(view: CardView) -> list[str]:
    """The texts of the buttons that send a tap back (not the link to the page)."""
    return [b.text for b in view.buttons if not b.url]


async def test_whole_flow(flow: DingTalkUser, fake: FakeDingTalk) -> None:
    # 执法一中队: staff 何鹏 → head 许军 → deputy 韩磊 → principal 谢永强, all on DingTalk
    await flow.say("hepeng", FORM)
    assert any("TJ-2026-0001" in t for t in await texts(flow, "hepeng"))
    head_card = await dingtalk_card(flow, "xujun")
    assert head_card.template_id == fake.template_id
    assert head_card.callback_type == ("STREAM" if flow.mode == "stream" else "HTTP")
    shown = head_card.view()
    assert "TJ-2026-0001" in shown.title
    assert (shown.field("服务对象") or "").startswith("桐柏县顺达物流有限公司")
    assert shown.field("当前层级") == "股室负责人 许军"
    assert taps(shown) == ["能办", "提级"]
    # “详情 / 填写意见” opens the matter's page through the sign-in, in the desktop's side panel.
    if flow.stack.resources.settings.public_url:
        page = side_panel_url(f"{PUBLIC_URL}/m/signin?next=/m/matters/TJ-2026-0001")
        assert shown.button("详情 / 填写意见").url == page
    else:  # no public URL, no page to open
        assert [b.url for b in shown.buttons if b.url] == []
    if flow.mode == "http":
        assert fake.registered_callbacks[0]["callbackUrl"] == f"{PUBLIC_URL}/dingtalk/card"

    # A colleague taps the head's card: nothing changes, and they are told whose card it is.
    before = dict(head_card.data)
    await flow.click("songjie", head_card, "can_do")
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.level == 2 and matter.state == "pending"
    assert head_card.data == before
    assert any("许军" in t for t in await texts(flow, "songjie"))

    # The token expired meanwhile; the head escalates; the clicked card shows it for everyone.
    fake.expire_tokens()
    await flow.click("xujun", head_card, "escalate")
    assert taps(head_card.view()) == []  # the link to the page stays
    assert "状态：已提级至 分管领导 韩磊" in head_card.view().lines
    deputy_card = await dingtalk_card(flow, "hanlei")

    # DingTalk pushes the same click again: applied once.
    updates = len(fake.card_updates)
    await flow.click("xujun", head_card, "escalate")
    assert len(fake.card_updates) == updates
    assert (await Matter.get(number="TJ-2026-0001")).level == 3

    # Throttled while delivering the principal's card: retried, delivered.
    fake.throttle["/v1.0/card/instances/createAndDeliver"] = 1
    await flow.click("hanlei", deputy_card, "escalate")
    principal_card = await dingtalk_card(flow, "xieyongqiang")
    assert taps(principal_card.view()) == [
        "能办", "确认不能办·法律政策", "确认不能办·客观条件", "确认不能办·其他"
    ]  # fmt: skip

    await flow.click("xieyongqiang", principal_card, "confirm_no", {"refusal_category": "law"})
    assert any("理由" in t for t in await texts(flow, "xieyongqiang"))
    assert "待填写理由" in principal_card.data["status_text"]
    assert principal_card.view().field("状态") == "已选择确认不能办，待填写理由和说“行”建议"
    await flow.say(
        "xieyongqiang", "理由：罚没款须到账后方可放行\n建议：请当事人提供银行回单，到账确认后当日放行"
    )
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.state == "refused" and matter.refusal_category is RefusalCategory.LAW
    assert matter.way_forward == "请当事人提供银行回单，到账确认后当日放行"
    assert any("银行回单" in t for t in await texts(flow, "hepeng"))
    assert taps(principal_card.view()) == []
    assert any(line.startswith("处理结果：已确认不能办") for line in principal_card.view().lines)

    await flow.say("hepeng", "回复 TJ-2026-0001 电话 已电话告知当事人提供银行回单")
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.state == "closed" and matter.outcome == "confirm_no"
    assert await OutboxMessage.filter(status="pending").count() == 0
    assert await OutboxMessage.filter(status="failed").count() == 0


async def test_unknown_dingtalk_user_is_told_and_nothing_is_stored(
    flow: DingTalkUser, fake: FakeDingTalk
) -> None:
    await Person.filter(handle="hepeng").update(dingtalk_userid=None)
    data = {"conversationType": "1", "senderStaffId": "012534410436", "msgId": "msg-stranger",
            "msgtype": "text", "text": {"content": FORM}}  # fmt: skip
    await flow._deliver(BOT_MESSAGE_TOPIC, data, "dingtalk:msg:msg-stranger")
    assert await Matter.all().count() == 0
    assert fake.cards == {}
    told = fake.texts_to("012534410436")
    assert len(told) == 1 and "未登记" in told[0]


# -- DingTalk and WeCom side by side -------------------------------------------------------------


@pytest.fixture
async def wecom(clock: SimClock) -> AsyncIterator[FakeWeCom]:
    api = FakeWeCom(now=lambda: clock.now().timestamp())
    await api.start()
    try:
        yield api
    finally:
        await api.close()


async def test_wecom_and_dingtalk_side_by_side(
    settings: Settings, clock: SimClock, db: None, fake: FakeDingTalk, wecom: FakeWeCom
) -> None:
    both = dingtalk_settings(settings, fake).model_copy(
        update={
            "wecom_corp_id": wecom.corp_id,
            "wecom_agent_id": wecom.agent_id,
            "wecom_secret": wecom.secret,
            "wecom_api_base": wecom.base_url,
        }
    )
    async with running_stack(both, clock) as stack:
        await stack.import_org()
        # In the bureau's 运输管理股 the submitter and the head use DingTalk, the deputy WeCom.
        await Person.filter(handle__in=["zhangwei", "chenguoqing"]).update(platform="dingtalk")
        stop = asyncio.Event()
        stream = asyncio.create_task(run_stream(stack.resources, stack.app[ROUTER], stop))
        try:
            assert fake.gateway is not None
            await fake.gateway.wait_connected()
            user = DingTalkUser(stack, fake, "stream")
            await user.say("zhangwei", FORM)
            assert any("TJ-2026-0001" in t for t in await texts(user, "zhangwei"))
            head_card = await dingtalk_card(user, "chenguoqing")
            await user.click("chenguoqing", head_card, "escalate")
            assert "已提级至 分管领导 李明华" in head_card.data["status_text"]
        finally:
            stop.set()
            await asyncio.wait_for(stream, 10)
    # The deputy's card went to WeCom, and nobody got a message on the platform they are not on.
    assert len(wecom.cards_to("Liminghua")) == 1
    assert fake.cards_to("012534080602") == []
    assert wecom.texts_to("Zhangwei") == [] and wecom.cards_to("Chenguoqing") == []
    assert await OutboxMessage.filter(status="failed").count() == 0
