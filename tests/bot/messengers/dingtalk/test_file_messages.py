"""A picture or a file sent to the DingTalk bot (as DingTalk posts it: ``msgtype`` picture/file
with its ``downloadCode``): the reply gives the page to attach it on."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.clock import SimClock
from bot.messengers.dingtalk.frames import BOT_MESSAGE_TOPIC
from bot.messengers.dingtalk.stream import run_stream
from bot.runtime.resources import ROUTER
from bot.settings import Settings
from models.attachments import Attachment
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.dingtalk.test_flow import FORM, PUBLIC_URL, DingTalkUser, texts
from tests.fakes.dingtalk_openapi import FakeDingTalk
from tests.support.stack import running_stack

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(params=["stream", "http"])
async def flow(
    request: pytest.FixtureRequest, settings: Settings, clock: SimClock, db: None, fake: FakeDingTalk
) -> AsyncIterator[DingTalkUser]:
    mode = str(request.param)
    configured = dingtalk_settings(settings, fake, dingtalk_mode=mode, public_url=PUBLIC_URL)
    async with running_stack(configured, clock) as stack:
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


async def send(flow: DingTalkUser, handle: str, msgtype: str, content: dict[str, str]) -> None:
    flow.seq += 1
    msg_id = f"msgF{flow.seq:04d}"
    data = {
        "conversationType": "1",
        "conversationId": f"cid-{handle}",
        "senderStaffId": await flow.userid(handle),
        "senderId": "$:LWCP_v1:$opaque",
        "senderNick": handle,
        "msgId": msg_id,
        "msgtype": msgtype,
        "content": content,
        "robotCode": flow.fake.client_id,
        "chatbotCorpId": "dingcorp",
        "createAt": 1764550800000,
    }
    await flow._deliver(BOT_MESSAGE_TOPIC, data, f"dingtalk:msg:{msg_id}")


async def test_a_picture_is_answered_with_the_form_then_with_the_matters_page(flow: DingTalkUser) -> None:
    picture = {"downloadCode": "mIofN681YE3f3madCkipB", "pictureDownloadCode": "1lOlaJWGsEAMhwEAO"}
    await send(flow, "hepeng", "picture", picture)
    assert any(
        "收到照片" in t and f"{PUBLIC_URL}/m/signin?next=/m/new" in t for t in await texts(flow, "hepeng")
    )

    await flow.say("hepeng", FORM)
    await send(flow, "hepeng", "picture", picture)
    last = (await texts(flow, "hepeng"))[-1]
    assert "收到照片" in last and f"{PUBLIC_URL}/m/signin?next=/m/matters/TJ-2026-0001" in last
    assert await Attachment.all().count() == 0


async def test_a_file_is_answered_with_the_page_too(flow: DingTalkUser) -> None:
    await send(
        flow, "hepeng", "file", {"downloadCode": "dc-file-1", "fileName": "营业执照.pdf", "spaceId": "1"}
    )
    assert any("收到文件" in t for t in await texts(flow, "hepeng"))
