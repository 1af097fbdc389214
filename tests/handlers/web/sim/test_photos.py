"""The simulator's 发照片: a photo sent in chat reaches the router as a ``FileMessage`` (no bytes),
and the conversation shows it was sent."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.events import FileKind, FileMessage
from models.simulator import SimMessage
from tests.handlers.web.sim.test_api import json_of
from tests.support.sim_app import Org, RecordingRouter

Client = TestClient[web.Request, web.Application]


async def test_a_photo_reaches_the_router_as_a_file_message(
    client: Client, org: Org, router: RecordingRouter
) -> None:
    body = await json_of(await client.post("/sim/api/photos", json={"from": "zhangsan"}), 202)
    assert body["accepted"] is True
    [event] = router.events
    assert isinstance(event, FileMessage) and event.kind is FileKind.IMAGE
    assert (event.sender.user_id, event.dedupe_key[:10]) == ("zhangsan", "sim:photo:")
    [item] = await json_of(await client.get("/sim/api/inbox/zhangsan"), 200)
    assert (item["direction"], item["text"]) == ("in", "[照片]")


async def test_a_photo_from_nobody_is_refused(client: Client, org: Org, router: RecordingRouter) -> None:
    body = await json_of(await client.post("/sim/api/photos", json={"from": "nosuch"}), 400)
    assert "nosuch" in body["message"]
    assert router.events == [] and await SimMessage.all().count() == 0
