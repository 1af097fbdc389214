"""HTTP mode: a captured signed header pair cannot carry another body, even within the hour the
timestamp is accepted; DingTalk's own retry of the same request still gets through (once)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import SimClock
from bot.messengers.dingtalk import setup_routes
from bot.messengers.dingtalk.signing import card_callback_sign, robot_sign
from bot.runtime.resources import RESOURCES, ROUTER, Resources
from bot.runtime.seen import SEEN_PREFIX
from tests.bot.messengers.dingtalk.conftest import RecordingRouter
from tests.fakes.dingtalk_openapi import CLIENT_SECRET

pytestmark = pytest.mark.timeout(30)

MESSAGE = {
    "conversationType": "1", "senderStaffId": "staff01", "msgId": "msgR1", "msgtype": "text",
    "text": {"content": "帮助"},
}  # fmt: skip
FORGED = {
    **MESSAGE,
    "senderStaffId": "principal01",
    "msgId": "msgR2",
    "text": {"content": "撤回 TJ-2026-0001"},
}
CLICK = {
    "type": "actionCallback", "outTrackId": "ref-1", "userId": "staff01",
    "content": json.dumps({"cardPrivateData": {"actionIds": ["escalate"], "params": {"action": "escalate"}}}),
}  # fmt: skip
FORGED_CLICK = {**CLICK, "userId": "principal01", "content": CLICK["content"].replace("escalate", "can_do")}


@pytest.fixture
async def client(dt_resources: Resources, router: RecordingRouter) -> AsyncIterator[TestClient]:
    dt_resources.settings = dt_resources.settings.model_copy(
        update={"dingtalk_mode": "http", "public_url": "https://tiji.example.gov.cn"}
    )
    app = web.Application()
    app[RESOURCES] = dt_resources
    app[ROUTER] = router  # type: ignore[misc]
    setup_routes(app, dt_resources.settings)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def ms(when: dt.datetime) -> str:
    return str(int(when.timestamp() * 1000))


async def test_a_captured_robot_header_pair_with_a_forged_body_59_minutes_later_is_refused(
    client: TestClient, dt_resources: Resources, router: RecordingRouter, clock: SimClock
) -> None:
    ts = ms(clock.now())
    captured = {"timestamp": ts, "sign": robot_sign(ts, CLIENT_SECRET)}
    assert (await client.post("/dingtalk/robot", json=MESSAGE, headers=captured)).status == 200

    clock.advance(dt.timedelta(minutes=59))
    response = await client.post("/dingtalk/robot", json=FORGED, headers=captured)

    assert response.status == 403
    assert "签名已用于另一请求" in (await response.json())["errmsg"]
    assert [event.sender.user_id for event in router.events] == ["staff01"]
    assert not await dt_resources.redis.exists(SEEN_PREFIX + "dingtalk:msg:msgR2")


async def test_a_captured_card_header_pair_with_a_forged_tap_59_minutes_later_is_refused(
    client: TestClient, router: RecordingRouter, clock: SimClock
) -> None:
    ts = ms(clock.now())
    captured = {
        "x-ddpaas-signature-timestamp": ts,
        "x-ddpaas-signature": card_callback_sign(ts, CLIENT_SECRET),
    }
    assert (await client.post("/dingtalk/card", json=CLICK, headers=captured)).status == 200

    clock.advance(dt.timedelta(minutes=59))
    response = await client.post("/dingtalk/card", json=FORGED_CLICK, headers=captured)

    assert response.status == 403
    assert [event.sender.user_id for event in router.events] == ["staff01"]


async def test_dingtalk_retrying_the_same_request_is_accepted_and_applied_once(
    client: TestClient, router: RecordingRouter, clock: SimClock
) -> None:
    ts = ms(clock.now())
    headers = {"timestamp": ts, "sign": robot_sign(ts, CLIENT_SECRET)}
    first = await client.post("/dingtalk/robot", json=MESSAGE, headers=headers)
    clock.advance(dt.timedelta(seconds=30))
    retry = await client.post("/dingtalk/robot", json=MESSAGE, headers=headers)
    assert (first.status, retry.status) == (200, 200)
    assert len(router.events) == 1


async def test_a_new_request_with_its_own_signature_is_accepted(
    client: TestClient, router: RecordingRouter, clock: SimClock
) -> None:
    for body in (MESSAGE, FORGED):
        ts = ms(clock.now())
        headers = {"timestamp": ts, "sign": robot_sign(ts, CLIENT_SECRET)}
        assert (await client.post("/dingtalk/robot", json=body, headers=headers)).status == 200
        clock.advance(dt.timedelta(milliseconds=5))
    assert [event.sender.user_id for event in router.events] == ["staff01", "principal01"]
