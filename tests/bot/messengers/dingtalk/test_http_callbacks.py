"""HTTP mode: /dingtalk/robot and /dingtalk/card verify, parse, route, and answer in time."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.events import CardAction, TextMessage
from bot.messengers.dingtalk import setup_routes
from bot.messengers.dingtalk.signing import card_callback_sign, robot_sign
from bot.runtime.resources import RESOURCES, Resources
from tests.bot.messengers.dingtalk.conftest import RecordingRouter
from tests.fakes.dingtalk_openapi import CLIENT_SECRET, FakeDingTalk

pytestmark = pytest.mark.timeout(30)
PUBLIC_URL = "https://tiji.example.gov.cn"


@pytest.fixture
async def client(dt_resources: Resources, router: RecordingRouter) -> AsyncIterator[TestClient]:
    from bot.runtime.resources import ROUTER

    dt_resources.settings = dt_resources.settings.model_copy(
        update={"dingtalk_mode": "http", "public_url": PUBLIC_URL}
    )
    app = web.Application()
    app[RESOURCES] = dt_resources
    app[ROUTER] = router  # type: ignore[misc]
    setup_routes(app, dt_resources.settings)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def ms(when: dt.datetime) -> str:
    return str(int(when.timestamp() * 1000))


def robot_headers(
    resources: Resources, *, secret: str = CLIENT_SECRET, age: dt.timedelta = dt.timedelta(0)
) -> dict[str, str]:
    ts = ms(resources.clock.now() - age)
    return {"timestamp": ts, "sign": robot_sign(ts, secret)}


def card_headers(
    resources: Resources, *, secret: str = CLIENT_SECRET, age: dt.timedelta = dt.timedelta(0)
) -> dict[str, str]:
    ts = ms(resources.clock.now() - age)
    return {"x-ddpaas-signature-timestamp": ts, "x-ddpaas-signature": card_callback_sign(ts, secret)}


MESSAGE = {
    "conversationType": "1",
    "senderStaffId": "staff01",
    "msgId": "msgH1",
    "msgtype": "text",
    "text": {"content": "帮助"},
}
CLICK = {
    "type": "actionCallback",
    "outTrackId": "ref-9",
    "userId": "head01",
    "content": json.dumps({"cardPrivateData": {"actionIds": ["can_do"], "params": {"action": "can_do"}}}),
}


async def test_card_callback_route_is_registered_at_start(client: TestClient, fake: FakeDingTalk) -> None:
    for _ in range(100):
        if fake.registered_callbacks:
            break
        await asyncio.sleep(0.02)
    registered = fake.registered_callbacks[0]
    assert registered["callbackUrl"] == f"{PUBLIC_URL}/dingtalk/card"
    assert registered["callbackRouteKey"] == "tiji" and registered["apiSecret"] == CLIENT_SECRET


async def test_signed_robot_message_is_routed(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    resp = await client.post("/dingtalk/robot", json=MESSAGE, headers=robot_headers(dt_resources))
    assert resp.status == 200
    assert router.events == [TextMessage(router.events[0].sender, "帮助", "dingtalk:msg:msgH1", None)]
    assert router.events[0].sender.user_id == "staff01"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"timestamp": "1764464400000"},
        {"timestamp": "garbage", "sign": "garbage"},
        {"timestamp": "9" * 400, "sign": "garbage"},  # more than a float holds
        {"timestamp": "\u00b2", "sign": "garbage"},  # "²": isdigit() but not a number
    ],
)
async def test_robot_message_without_valid_headers_is_refused(
    client: TestClient, router: RecordingRouter, headers: dict[str, str]
) -> None:
    resp = await client.post("/dingtalk/robot", json=MESSAGE, headers=headers)
    assert resp.status == 403
    assert router.events == []


async def test_robot_message_with_a_bad_signature_is_refused(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    resp = await client.post(
        "/dingtalk/robot", json=MESSAGE, headers=robot_headers(dt_resources, secret="forged")
    )
    assert resp.status == 403
    assert "签名" in (await resp.json())["errmsg"]
    assert router.events == []


async def test_stale_robot_message_is_refused(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    headers = robot_headers(dt_resources, age=dt.timedelta(hours=1, minutes=1))
    resp = await client.post("/dingtalk/robot", json=MESSAGE, headers=headers)
    assert resp.status == 403
    assert router.events == []


async def test_malformed_robot_bodies_change_nothing(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    bodies = (b"{not json", b"[1]", json.dumps({"msgtype": "text"}).encode())
    for n, body in enumerate(bodies):
        # Each its own signed millisecond, as DingTalk signs each callback: on a fast machine two
        # posts fell in the same one, and the second was refused as a replay (the same signed pair).
        headers = robot_headers(dt_resources, age=dt.timedelta(milliseconds=10 * n))
        resp = await client.post("/dingtalk/robot", data=body, headers=headers)
        assert resp.status == 400
    assert router.events == []


async def test_duplicate_robot_message_is_routed_once(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    for _ in range(2):
        resp = await client.post("/dingtalk/robot", json=MESSAGE, headers=robot_headers(dt_resources))
        assert resp.status == 200
    assert len(router.events) == 1


async def test_signed_card_click_is_routed(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    resp = await client.post("/dingtalk/card", json=CLICK, headers=card_headers(dt_resources))
    assert resp.status == 200
    assert "cardUpdateOptions" in await resp.json()
    event = router.events[0]
    assert isinstance(event, CardAction) and (event.sender.user_id, event.card_ref, event.key) == (
        "head01",
        "ref-9",
        "can_do",
    )


async def test_card_click_is_answered_within_two_seconds(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    router.delay = 3.0
    loop = asyncio.get_running_loop()
    started = loop.time()
    resp = await client.post("/dingtalk/card", json=CLICK, headers=card_headers(dt_resources))
    assert resp.status == 200 and loop.time() - started < 2.0
    for _ in range(200):
        if router.events:
            break
        await asyncio.sleep(0.05)
    assert len(router.events) == 1  # the work finished after the answer


@pytest.mark.parametrize("variant", ["forged", "stale", "missing", "huge"])
async def test_card_click_with_bad_signature_is_refused(
    client: TestClient, dt_resources: Resources, router: RecordingRouter, variant: str
) -> None:
    headers = {
        "forged": card_headers(dt_resources, secret="forged"),
        "stale": card_headers(dt_resources, age=dt.timedelta(hours=2)),
        "missing": {},
        "huge": {"x-ddpaas-signature-timestamp": "9" * 400, "x-ddpaas-signature": "garbage"},
    }[variant]
    resp = await client.post("/dingtalk/card", json=CLICK, headers=headers)
    assert resp.status == 403
    assert router.events == []


async def test_card_click_keys_are_passed_to_the_router_which_checks_them_by_card_kind(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    forged = dict(CLICK, content=json.dumps({"cardPrivateData": {"params": {"action": "delete_all"}}}))
    resp = await client.post("/dingtalk/card", json=forged, headers=card_headers(dt_resources))
    assert resp.status == 200
    [event] = router.events
    assert isinstance(event, CardAction) and event.key == "delete_all"


async def test_card_click_without_a_usable_action_changes_nothing(
    client: TestClient, dt_resources: Resources, router: RecordingRouter
) -> None:
    forged = dict(CLICK, content=json.dumps({"cardPrivateData": {"params": {"action": "1; drop table"}}}))
    resp = await client.post("/dingtalk/card", json=forged, headers=card_headers(dt_resources))
    assert resp.status == 200
    assert router.events == []


async def test_stream_mode_adds_no_routes(dt_resources: Resources) -> None:
    app = web.Application()
    setup_routes(app, dt_resources.settings)
    assert [r for r in app.router.routes() if r.resource and "dingtalk" in r.resource.canonical] == []
