"""The Stream client against the fake gateway: acks, ping, reconnects, duplicates, garbage, the lock."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from bot.events import CardAction, TextMessage
from bot.messengers.dingtalk.frames import BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC
from bot.messengers.dingtalk.health import stream_status
from bot.messengers.dingtalk.stream import StreamClient, backoff_delay, run_stream
from bot.runtime.resources import Resources
from handlers.router import Router
from tests.bot.messengers.dingtalk.conftest import RecordingRouter
from tests.fakes.dingtalk_gateway import FakeGateway
from tests.fakes.dingtalk_openapi import FakeDingTalk

pytestmark = pytest.mark.timeout(30)


def bot_message(msg_id: str = "msg1", text: str = "待办", staff: str = "staff01") -> dict[str, object]:
    return {
        "conversationType": "1",
        "senderStaffId": staff,
        "senderId": "$:LWCP_v1:$x",
        "msgId": msg_id,
        "msgtype": "text",
        "text": {"content": text},
    }


def card_click(action: str = "escalate", user: str = "head01", ref: str = "ref-1") -> dict[str, object]:
    content = {"cardPrivateData": {"actionIds": [action], "params": {"action": action}}}
    return {"type": "actionCallback", "outTrackId": ref, "userId": user, "content": json.dumps(content)}


@asynccontextmanager
async def running(
    resources: Resources, router: RecordingRouter, **options: float
) -> AsyncIterator[tuple[StreamClient, asyncio.Event]]:
    values = {"backoff_base": 0.05, "backoff_cap": 0.2, "lock_ttl": 1.0, "heartbeat": 5.0}
    values.update(options)
    client = StreamClient(resources, router.handle, **values)
    stop = asyncio.Event()
    task = asyncio.create_task(client.run(stop))
    try:
        yield client, stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 (polls state owned by the code under test)
            await asyncio.sleep(0.02)


def gateway(fake: FakeDingTalk) -> FakeGateway:
    assert fake.gateway is not None
    return fake.gateway


async def test_bot_message_is_routed_and_acked(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router):
        await gw.wait_connected()
        ack = await gw.callback(BOT_MESSAGE_TOPIC, bot_message())
        assert ack == {"response": {}}
        await eventually(lambda: len(router.events) == 1)
    event = router.events[0]
    assert isinstance(event, TextMessage) and event.sender.user_id == "staff01" and event.text == "待办"


async def test_card_click_is_answered_within_two_seconds_even_when_slow(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    router.delay = 3.0
    async with running(dt_resources, router):
        await gw.wait_connected()
        loop = asyncio.get_running_loop()
        started = loop.time()
        mid = await gw.send_frame("CALLBACK", CARD_CALLBACK_TOPIC, card_click())
        ack = await gw.ack_of(mid, within=2.0)  # DingTalk gives up after 2 s
        assert loop.time() - started < 2.0
        response = json.loads(ack["data"])["response"]
        assert response["cardUpdateOptions"]["updateCardDataByKey"] is True
        assert "cardData" not in response  # the card is updated afterwards, through the outbox
        await eventually(lambda: len(router.events) == 1, within=6)
    event = router.events[0]
    assert isinstance(event, CardAction)
    assert (event.sender.user_id, event.card_ref, event.key) == ("head01", "ref-1", "escalate")


async def test_ping_is_echoed_and_events_acked(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router):
        await gw.wait_connected()
        mid = await gw.send_frame("SYSTEM", "ping", {"opaque": "xyz"})
        assert json.loads((await gw.ack_of(mid))["data"]) == {"opaque": "xyz"}
        mid = await gw.send_frame("EVENT", "*", {"eventType": "user_add_org"})
        assert json.loads((await gw.ack_of(mid))["data"])["status"] == "SUCCESS"
    assert router.events == []


async def test_disconnect_reconnects_at_once(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    # a back-off of 30 s would make the test time out: reconnection after "disconnect" must not wait
    async with running(dt_resources, router, backoff_base=30.0, backoff_cap=30.0) as (client, _):
        await gw.wait_connected()
        await gw.disconnect()
        await gw.wait_connected(count=2, within=5)
        await gw.callback(BOT_MESSAGE_TOPIC, bot_message("after-reconnect"))
        await eventually(lambda: len(router.events) == 1)
        assert client.connections == 2


async def test_dropped_connection_is_reopened_with_a_fresh_ticket(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router):
        await gw.wait_connected()
        await gw.drop()
        await gw.wait_connected(count=2, within=10)
        await gw.callback(BOT_MESSAGE_TOPIC, bot_message("m2"))
        await eventually(lambda: len(router.events) == 1)
    assert gw.tickets == {}  # every ticket was used once


async def test_refused_connections_back_off_and_recover(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    gw.refuse_connections = True
    async with running(dt_resources, router) as (client, _):
        await eventually(lambda: len(gw.tickets) >= 3)  # it keeps trying (each try asks for a ticket)
        assert not client.connected
        gw.refuse_connections = False
        await gw.wait_connected(within=5)
        await eventually(lambda: client.connected)


def test_backoff_is_exponential_and_capped() -> None:
    assert [backoff_delay(n, 1.0, 60.0) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


async def test_duplicate_pushes_are_applied_once(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router):
        await gw.wait_connected()
        first = await gw.callback(BOT_MESSAGE_TOPIC, bot_message("same"))
        second = await gw.callback(BOT_MESSAGE_TOPIC, bot_message("same"))
        await gw.callback(CARD_CALLBACK_TOPIC, card_click())
        await gw.callback(CARD_CALLBACK_TOPIC, card_click())
        await asyncio.sleep(0.2)
    assert first == second == {"response": {}}
    assert [e.dedupe_key for e in router.events] == [
        "dingtalk:msg:same",
        "dingtalk:card:ref-1:head01:escalate",
    ]


async def test_malformed_frames_change_nothing_and_the_connection_survives(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router) as (client, _):
        await gw.wait_connected()
        await gw.send_raw("this is not json")
        await gw.send_raw('{"type": "CALLBACK", "headers": {}}')
        bad_data = await gw.callback(BOT_MESSAGE_TOPIC, "{not json")
        no_ids = await gw.callback(BOT_MESSAGE_TOPIC, {"msgtype": "text", "text": {"content": "x"}})
        forged = await gw.callback(CARD_CALLBACK_TOPIC, card_click(action="approve all; --"))
        unknown = await gw.callback("/v1.0/unknown/topic", {"a": 1})
        assert bad_data == no_ids == unknown == forged == {"response": {}}
        await gw.callback(BOT_MESSAGE_TOPIC, bot_message("good"))
        await eventually(lambda: len(router.events) == 1)
        assert client.connections == 1
    assert [e.dedupe_key for e in router.events] == ["dingtalk:msg:good"]


async def test_failed_handling_can_be_retried_by_a_repush(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    async with running(dt_resources, router):
        await gw.wait_connected()
        router.fail = True
        await gw.callback(CARD_CALLBACK_TOPIC, card_click())
        await asyncio.sleep(0.1)
        router.fail = False
        await gw.callback(CARD_CALLBACK_TOPIC, card_click())
        await eventually(lambda: len(router.events) == 1)


async def test_one_connection_per_app_and_takeover(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    other = RecordingRouter()
    async with running(dt_resources, router) as (first, stop_first):
        await gw.wait_connected()
        async with running(dt_resources, other) as (second, _):
            await asyncio.sleep(0.5)
            assert len(gw.connections) == 1 and gw.connects == 1
            assert first.connected and not second.connected
            stop_first.set()  # the first process stops (SIGTERM): the second takes over
            await gw.wait_connected(count=2, within=5)
            await gw.callback(BOT_MESSAGE_TOPIC, bot_message("to-second"))
            await eventually(lambda: len(other.events) == 1)
            assert second.connected


async def test_stop_closes_cleanly_and_releases_the_lock(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    client = StreamClient(dt_resources, router.handle, lock_ttl=5.0)
    stop = asyncio.Event()
    task = asyncio.create_task(client.run(stop))
    await gw.wait_connected()
    stop.set()
    await asyncio.wait_for(task, 3)
    assert await dt_resources.redis.get(client.lock.key) is None
    await eventually(lambda: gw.connections == [])


async def test_run_stream_does_nothing_in_http_mode(dt_resources: Resources, fake: FakeDingTalk) -> None:
    dt_resources.settings = dt_resources.settings.model_copy(update={"dingtalk_mode": "http"})
    await asyncio.wait_for(run_stream(dt_resources, Router(dt_resources), asyncio.Event()), 2)
    assert gateway(fake).connects == 0


async def test_status_is_reported_for_healthz(
    dt_resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    gw = gateway(fake)
    assert (await stream_status(dt_resources))["running"] is False
    async with running(dt_resources, router):
        await gw.wait_connected()
        assert await status_becomes(dt_resources, connected=True)
        gw.refuse_connections = True
        await gw.drop()
        assert await status_becomes(dt_resources, connected=False)


async def status_becomes(resources: Resources, *, connected: bool) -> bool:
    for _ in range(100):
        status = await stream_status(resources)
        if status["running"] and status["connected"] is connected:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_long_disconnection_alerts_the_office_group_once(
    resources: Resources, fake: FakeDingTalk, router: RecordingRouter
) -> None:
    from models.messaging import OutboxMessage
    from models.org import GroupChannel, Organisation
    from tests.bot.messengers.dingtalk.conftest import dingtalk_settings

    resources.settings = dingtalk_settings(resources.settings, fake)
    org = await Organisation.create(code="tx", name="桐乡市交通运输局", default_platform="dingtalk")
    office = await GroupChannel.create(organisation=org, code="office", name="活动办公室", kind="office",
                                       dingtalk_conversation_id="cidOffice==")  # fmt: skip
    await GroupChannel.create(organisation=org, code="u1", name="单位群", kind="unit")
    wecom_only = await Organisation.create(code="wx", name="某企业微信单位", default_platform="wecom")
    await GroupChannel.create(organisation=wecom_only, code="office", name="办公室群", kind="office")
    gw = gateway(fake)
    async with running(resources, router, alert_after=0.3, check_every=0.05) as (client, _):
        await gw.wait_connected()
        await asyncio.sleep(0.5)
        assert await OutboxMessage.all().count() == 0  # connected: no alert
        gw.refuse_connections = True
        await gw.drop()
        await eventually(lambda: client.alerted_for is not None)
        await asyncio.sleep(0.5)  # still down: no second alert for the same outage
    rows = await OutboxMessage.all()
    assert len(rows) == 1
    row = rows[0]
    assert row.group_id == office.id and row.kind == "group" and row.platform == "dingtalk"
    assert "钉钉连接中断" in str(row.payload["markdown"])
