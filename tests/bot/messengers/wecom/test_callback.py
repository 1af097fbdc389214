"""``/wecom/callback`` through aiohttp with a recording router: verification, dedupe, rejections,
the answer given once the event is stored (the router runs afterwards, as the worker applies it)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.clock import SimClock
from bot.events import CardAction, Event, Reply, TextMessage
from bot.messengers.wecom import callback
from bot.runtime.resources import RESOURCES, ROUTER, Resources
from bot.settings import Settings
from handlers.router import Router
from models.inbound import InboundEvent, InboundState
from tests.bot.messengers.wecom import test_crypto as vectors
from tests.fakes.wecom_callback import WeComSigner, card_event_xml, text_xml
from tests.support.inbound import apply_pending

CORP = "ww0123456789abcdef"
TOKEN = "Tok3nForTests"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
AGENT = 1000002


class RecordingRouter(Router):
    def __init__(self, resources: Resources) -> None:
        super().__init__(resources)
        self.events: list[Event] = []
        self.delay = 0.0
        self.fail_times = 0
        self.finished = 0

    async def handle(self, event: Event) -> Reply:
        self.events.append(event)
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("database went away")
        await asyncio.sleep(self.delay)
        self.finished += 1
        return Reply(True, "好")


AppClient = tuple[TestClient, RecordingRouter]


@pytest.fixture
def cb_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={
        "simulator": False, "wecom_corp_id": CORP, "wecom_agent_id": AGENT, "wecom_secret": "s" * 43,
        "wecom_token": TOKEN, "wecom_aes_key": KEY,
    })  # fmt: skip


@pytest.fixture
async def app_client(
    cb_settings: Settings, clock: SimClock, redis: Redis, db: None
) -> AsyncIterator[tuple[TestClient, RecordingRouter]]:
    async with aiohttp.ClientSession() as http:
        resources = Resources(settings=cb_settings, clock=clock, redis=redis, http=http)
        app = web.Application()
        router = RecordingRouter(resources)
        app[RESOURCES] = resources
        app[ROUTER] = router
        callback.setup_routes(app)
        async with TestClient(TestServer(app)) as client:
            yield client, router


@pytest.fixture
def wecom() -> WeComSigner:
    return WeComSigner(TOKEN, KEY, CORP)


def now_ts(clock: SimClock) -> str:
    return str(int(clock.now().timestamp()))


async def post(client: TestClient, query: dict[str, str], body: bytes) -> aiohttp.ClientResponse:
    return await client.post(callback.PATH, params=query, data=body)


async def test_url_verification_answers_the_bare_plaintext(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock
) -> None:
    client, _ = app_client
    resp = await client.get(callback.PATH, params=wecom.verify_query("8141513946337", now_ts(clock)))
    assert resp.status == 200
    assert await resp.read() == b"8141513946337"


async def test_official_vectors_through_the_endpoint(
    cb_settings: Settings, clock: SimClock, redis: Redis, db: None
) -> None:
    official = cb_settings.model_copy(
        update={"wecom_corp_id": vectors.CORP, "wecom_token": vectors.TOKEN, "wecom_aes_key": vectors.KEY}
    )
    clock.set(dt.datetime.fromtimestamp(int(vectors.POST_TS), dt.UTC))
    async with aiohttp.ClientSession() as http:
        resources = Resources(settings=official, clock=clock, redis=redis, http=http)
        app = web.Application()
        router = RecordingRouter(resources)
        app[RESOURCES], app[ROUTER] = resources, router
        callback.setup_routes(app)
        async with TestClient(TestServer(app)) as client:
            resp = await client.get(callback.PATH, params={
                "msg_signature": vectors.GET_SIG, "timestamp": vectors.GET_TS, "nonce": vectors.GET_NONCE,
                "echostr": vectors.GET_ECHO})  # fmt: skip
            assert await resp.text() == "1616140317555161061"
            body = f"<xml><ToUserName><![CDATA[{vectors.CORP}]]></ToUserName><Encrypt><![CDATA[{vectors.POST_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
            query = {
                "msg_signature": vectors.POST_SIG,
                "timestamp": vectors.POST_TS,
                "nonce": vectors.POST_NONCE,
            }
            resp = await post(client, query, body.encode())
            assert resp.status == 200 and await resp.text() == ""
            await apply_pending(resources, router)
    [event] = router.events
    assert isinstance(event, TextMessage)
    assert (event.sender.user_id, event.text, event.dedupe_key) == (
        "mycreate",
        "hello",
        "wecom:msg:4561255354251345929",
    )


async def test_a_text_message_reaches_the_router_once_despite_retries(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock
) -> None:
    client, router = app_client
    xml = text_xml(
        CORP, "zhangsan", "待办", msg_id="9001", create_time=int(clock.now().timestamp()), agent_id=AGENT
    )
    query, body = wecom.envelope(xml, now_ts(clock), AGENT)
    for _ in range(3):  # WeCom's retries carry the same message
        resp = await post(client, query, body)
        assert resp.status == 200
    query2, body2 = wecom.envelope(xml, now_ts(clock), AGENT)  # re-encrypted, new nonce
    assert (await post(client, query2, body2)).status == 200
    assert await InboundEvent.all().count() == 1  # stored once
    await apply_pending(router.resources, router)
    assert [e.dedupe_key for e in router.events] == ["wecom:msg:9001"]


async def test_a_card_click_becomes_a_card_action(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock
) -> None:
    client, router = app_client
    xml = card_event_xml(CORP, "wangwu", task_id="tjREF123@00aa11bb22", event_key="confirm_no", response_code="RC",
                         create_time=int(clock.now().timestamp()), agent_id=AGENT,
                         selected={"refusal_category": ["conditions"]})  # fmt: skip
    query, body = wecom.envelope(xml, now_ts(clock), AGENT)
    assert (await post(client, query, body)).status == 200
    assert (await post(client, query, body)).status == 200
    await apply_pending(router.resources, router)
    [event] = router.events
    assert isinstance(event, CardAction)
    assert (event.card_ref, event.key, dict(event.selected)) == (
        "tjREF123",
        "confirm_no",
        {"refusal_category": "conditions"},
    )


def _bad_inputs(wecom: WeComSigner, clock: SimClock) -> dict[str, tuple[dict[str, str], bytes]]:
    ts = now_ts(clock)
    good = text_xml(CORP, "u1", "hi", msg_id="1", create_time=int(ts), agent_id=AGENT)
    cases: dict[str, tuple[dict[str, str], bytes]] = {}
    q, b = wecom.envelope(good, ts, AGENT)
    cases["bad signature"] = ({**q, "msg_signature": "0" * 40}, b)
    garbage = "A" * 64
    q, b = wecom.envelope(good, ts, AGENT, encrypt=garbage)
    cases["bad ciphertext"] = (q, b)
    other = WeComSigner(TOKEN, KEY, "wwAnotherCorp00000")
    cases["wrong corp id"] = other.envelope(good, ts, AGENT)
    cases["malformed xml"] = wecom.envelope("<xml><MsgType>text</MsgType", ts, AGENT)
    cases["hostile xml"] = wecom.envelope('<!DOCTYPE x [<!ENTITY e "e">]><xml>&e;</xml>', ts, AGENT)
    stale = str(int(ts) - 301)
    cases["stale timestamp"] = wecom.envelope(good, stale, AGENT)
    future = str(int(ts) + 301)
    cases["future timestamp"] = wecom.envelope(good, future, AGENT)
    cases["huge timestamp"] = wecom.envelope(good, "9" * 400, AGENT)  # more than a float holds
    q, _ = wecom.envelope(good, ts, AGENT)
    cases["envelope not xml"] = (q, b"{not xml")
    q, b = wecom.envelope(good, ts, AGENT)
    cases["missing nonce"] = ({k: v for k, v in q.items() if k != "nonce"}, b)
    return cases


async def test_every_bad_input_is_refused_alike_and_changes_nothing(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock, caplog: pytest.LogCaptureFixture
) -> None:
    client, router = app_client
    answers = set()
    for name, (query, body) in _bad_inputs(wecom, clock).items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.messengers.wecom.callback"):
            resp = await post(client, query, body)
        answers.add((resp.status, await resp.text()))
        assert "rejected" in caplog.text, name
    assert answers == {(400, "invalid request")}
    assert await InboundEvent.all().count() == 0
    await apply_pending(router.resources, router)
    assert router.events == []
    resp = await client.get(
        callback.PATH, params={**wecom.verify_query("1", now_ts(clock)), "msg_signature": "f" * 40}
    )
    assert (resp.status, await resp.text()) == (400, "invalid request")


async def test_the_answer_comes_before_the_router_runs_and_a_retry_applies_nothing_more(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock
) -> None:
    client, router = app_client
    router.delay = 0.5  # a slow router no longer holds the answer
    xml = text_xml(CORP, "u1", "hi", msg_id="42", create_time=int(clock.now().timestamp()), agent_id=AGENT)
    query, body = wecom.envelope(xml, now_ts(clock), AGENT)
    resp = await post(client, query, body)
    assert resp.status == 200
    assert router.events == []  # answered once stored; the worker applies it
    [stored] = await InboundEvent.all()
    assert (stored.key, stored.state, stored.sender) == ("wecom:msg:42", InboundState.PENDING, "wecom:u1")
    assert await apply_pending(router.resources, router) == 1
    assert router.finished == 1
    assert (await post(client, query, body)).status == 200  # WeCom's retry: applied once only
    assert await apply_pending(router.resources, router) == 0
    assert len(router.events) == 1


async def test_no_200_until_the_event_is_stored(
    app_client: AppClient, wecom: WeComSigner, clock: SimClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, router = app_client
    xml = text_xml(CORP, "u1", "hi", msg_id="44", create_time=int(clock.now().timestamp()), agent_id=AGENT)
    query, body = wecom.envelope(xml, now_ts(clock), AGENT)
    real_execute = InboundEvent._meta.db.execute_query_dict

    async def database_down(*args: object, **kwargs: object) -> object:
        raise ConnectionRefusedError("database went away")

    monkeypatch.setattr(InboundEvent._meta.db, "execute_query_dict", database_down)
    assert (await post(client, query, body)).status == 500  # WeCom delivers it again
    monkeypatch.setattr(InboundEvent._meta.db, "execute_query_dict", real_execute)
    assert await InboundEvent.all().count() == 0
    assert (await post(client, query, body)).status == 200
    await apply_pending(router.resources, router)
    assert [e.dedupe_key for e in router.events] == ["wecom:msg:44"]
