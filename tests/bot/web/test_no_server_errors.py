"""Bad input never gives a 500, and never changes anything: hypothesis sends malformed requests to
every route of the whole app (simulator, WeCom callback, DingTalk HTTP callbacks, health, static
files) — random bytes, invalid UTF-8, deeply nested JSON, JSON of the wrong shape, wrong content
types, oversized bodies, random path parameters and query strings — and, to the platform callbacks,
garbage behind a *valid* signature. Each answer must be below 500, each simulator answer a Chinese
message, and every table must keep its row count."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import AsyncIterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise import Tortoise
from yarl import URL

from bot.clock import SimClock
from bot.health.heartbeat import beat
from bot.messengers.dingtalk.signing import card_callback_sign, robot_sign
from bot.settings import Settings
from bot.web import errors
from bot.web.app import MAX_BODY
from bot.web.pages import STATIC_PREFIX as PAGES_STATIC
from handlers.web.sim.pages import STATIC_PREFIX
from models.org import GroupChannel, Person
from tests.fakes.dingtalk_openapi import CLIENT_ID, CLIENT_SECRET, TEMPLATE_ID, running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner
from tests.support import http_fuzz as fuzz_st
from tests.support.http_fuzz import FuzzRequest
from tests.support.stack import Stack, running_stack

pytestmark = pytest.mark.timeout(900)

WECOM_TOKEN = "Tok3nForFuzzing"
WECOM_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
WECOM_AGENT = 1000002
PUBLIC_URL = "https://tiji.example.gov.cn"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Every route the fixture's configuration must serve (the fuzzing covers whatever else there is).
EXPECTED_ROUTES = {
    "/healthz", "/readyz", "/metrics", "/sim", "/sim/static/{filename}", "/sim/api/messages", "/sim/api/cards/{ref}/click",
    "/sim/api/clock", "/sim/api/inbox/{handle}", "/wecom/callback", "/dingtalk/robot", "/dingtalk/card",
    "/admin", "/admin/signin", "/admin/signin/wecom", "/admin/signin/dingtalk",
    "/admin/matters", "/admin/matters/{number}", "/admin/matters/{number}/form", "/admin/cases", "/admin/notices",
    "/public/{org}", "/public/{org}/complaint", "/public/{org}/complaint/received",
}  # fmt: skip

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI stays stable
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


async def row_counts() -> dict[str, int]:
    """Rows in every table (matters, inbox, outbox, simulator messages, audit, org …)."""
    return {name: await model.all().count() for name, model in sorted(Tortoise.apps["models"].items())}


class NetCatches(logging.Handler):
    """Records what the error middleware had to catch (malformed input that a handler let through,
    or a failure of ours)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class Fuzz:
    """The running app, what the fuzzing knows of it, and the row counts it must keep."""

    def __init__(
        self, stack: Stack, known: dict[str, list[str]], baseline: dict[str, int], wecom: WeComSigner
    ) -> None:
        self.stack = stack
        self.net = NetCatches()
        self.routes = fuzz_st.app_routes(stack.app)
        self.known = known
        self.baseline = baseline
        self.wecom = wecom

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "Fuzz(the app)"

    @property
    def ours(self) -> str:
        server = self.stack.client.server
        return f"http://{server.host}:{server.port}"

    def now(self) -> dt.datetime:
        return self.stack.resources.clock.now()

    def requests(self, bodies: st.SearchStrategy[bytes]) -> st.SearchStrategy[FuzzRequest]:
        return fuzz_st.requests(self.routes, bodies, known=self.known, ours=self.ours)

    async def check(self, request: FuzzRequest) -> None:
        """Send ``request``: no 5xx, a Chinese refusal from the simulator, no row added or removed."""
        self.net.records.clear()
        response = await self.stack.client.request(
            request.method,
            URL(request.url, encoded=True),
            headers=list(request.headers),
            data=io.BytesIO(request.body),
            allow_redirects=False,  # a redirect is an answer (the sign-ins send browsers to the platforms)
        )
        body = await response.read()
        assert response.status < 500, (response.status, body[:500])
        # The platforms' callbacks answer in the platforms' terms, and a static file that is not
        # there is aiohttp's empty 404; everything else speaks Chinese.
        ours = not request.url.startswith(("/wecom/", "/dingtalk/", f"{STATIC_PREFIX}/", f"{PAGES_STATIC}/"))
        if response.status >= 400 and ours and request.method != "HEAD":
            if response.content_type == "application/json":
                answer = json.loads(body)
                assert answer["ok"] is False, answer
                message = answer["message"]
            else:
                message = body.decode("utf-8")
            assert CHINESE.search(message), (response.status, message)
        assert await row_counts() == self.baseline
        # Refused where it is read, not only by the error middleware's last net.
        assert self.net.records == [], self.net.records[0].getMessage()


@pytest.fixture
async def fuzz(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Fuzz]:
    """The app as `tiji serve` builds it with the simulator, WeCom and DingTalk (HTTP mode) all on,
    over the example org, with the cron work due now already done."""
    wecom_api = FakeWeCom(
        corp_id="ww0123456789abcdef", agent_id=WECOM_AGENT, now=lambda: clock.now().timestamp()
    )
    await wecom_api.start()
    try:
        async with running_fake_dingtalk() as dingtalk:
            configured = settings.model_copy(update={
                "simulator": True, "public_url": PUBLIC_URL,
                "wecom_corp_id": wecom_api.corp_id, "wecom_agent_id": WECOM_AGENT, "wecom_secret": wecom_api.secret,
                "wecom_token": WECOM_TOKEN, "wecom_aes_key": WECOM_AES_KEY, "wecom_api_base": wecom_api.base_url,
                "dingtalk_client_id": CLIENT_ID, "dingtalk_client_secret": CLIENT_SECRET,
                "dingtalk_robot_code": CLIENT_ID, "dingtalk_card_template_id": TEMPLATE_ID, "dingtalk_mode": "http",
                "dingtalk_api_base": dingtalk.base_url, "dingtalk_oapi_base": dingtalk.base_url,
                "heartbeat_stale_seconds": 3600.0,
            })  # fmt: skip
            async with running_stack(configured, clock) as stack:
                await stack.import_org()
                await stack.tick()
                await beat(stack.resources.redis, "fuzz:1", 3600)  # a worker is alive: /readyz is 200
                known = {
                    "handle": [p.handle for p in await Person.all().order_by("id").limit(5)],
                    "group_id": [str(g.id) for g in await GroupChannel.all().order_by("id").limit(3)],
                    "message_id": ["1", "2"],
                    "filename": ["sim.js", "sim.css"],
                    "org": ["tongbai-jt"],
                }
                signer = WeComSigner(WECOM_TOKEN, WECOM_AES_KEY, wecom_api.corp_id)
                fuzz = Fuzz(stack, known, await row_counts(), signer)
                errors_log = logging.getLogger(errors.__name__)
                errors_log.addHandler(fuzz.net)
                try:
                    yield fuzz
                finally:
                    errors_log.removeHandler(fuzz.net)
    finally:
        await wecom_api.close()


async def test_every_configured_route_is_fuzzed(fuzz: Fuzz) -> None:
    assert {r.template for r in fuzz.routes} >= EXPECTED_ROUTES


@FUZZ
@given(data=st.data())
async def test_random_bytes(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.random_bytes())))


@FUZZ
@given(data=st.data())
async def test_invalid_utf8(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.invalid_utf8())))


@FUZZ
@given(data=st.data())
async def test_deeply_nested_json(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.deep_json())))


@FUZZ
@given(data=st.data())
async def test_json_of_the_wrong_shape(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.json_values())))


@FUZZ
@given(data=st.data())
async def test_wrong_content_types(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.wrong_content_type_bodies())))


@FUZZ
@given(data=st.data())
async def test_random_paths_and_queries_without_a_body(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(st.just(b""))))


@settings(FUZZ, max_examples=30)
@given(data=st.data())
async def test_oversized_bodies(fuzz: Fuzz, data: st.DataObject) -> None:
    await fuzz.check(data.draw(fuzz.requests(fuzz_st.oversized(MAX_BODY))))


# ---- garbage behind a valid signature -------------------------------------------------------------

_signed_bodies = st.one_of(fuzz_st.deep_json(), fuzz_st.invalid_utf8(), fuzz_st.random_bytes())


def _ms(now: dt.datetime) -> str:
    return str(int(now.timestamp() * 1000))


@FUZZ
@given(data=st.data())
async def test_dingtalk_callbacks_with_a_valid_signature(fuzz: Fuzz, data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(["/dingtalk/robot", "/dingtalk/card"]))
    body = data.draw(_signed_bodies)
    # A signed header pair goes with one body (the replay cache): each example is signed afresh.
    fuzz.stack.resources.clock.advance(dt.timedelta(milliseconds=1))  # type: ignore[attr-defined]
    ts = _ms(fuzz.now())
    if path == "/dingtalk/robot":
        headers = (("timestamp", ts), ("sign", robot_sign(ts, CLIENT_SECRET)))
    else:
        headers = (
            ("x-ddpaas-signature-timestamp", ts),
            ("x-ddpaas-signature", card_callback_sign(ts, CLIENT_SECRET)),
        )
    content_type = data.draw(
        st.sampled_from(["application/json", "text/plain", "application/json; charset=gbk"])
    )
    await fuzz.check(FuzzRequest("POST", path, (*headers, ("Content-Type", content_type)), body))


def _deep_xml(depth: int) -> str:
    return "<xml>" + "<a>" * depth + "</a>" * depth + "</xml>"


_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><xml>&b;</xml>'
)
_plaintexts = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=200),
    st.sampled_from([10, 1000, 5000, 50_000]).map(_deep_xml),
    st.just(_BOMB),
    st.just("<xml><MsgType>text</MsgType></xml>"),  # a message without its sender
)


@FUZZ
@given(data=st.data())
async def test_wecom_callback_with_a_valid_signature(fuzz: Fuzz, data: st.DataObject) -> None:
    ts = str(int(fuzz.now().timestamp()))
    plaintext = data.draw(_plaintexts)
    if data.draw(st.booleans()):  # URL verification: a signed, encrypted (or garbage) echostr
        echostr = data.draw(
            st.one_of(st.just(fuzz.wecom.encrypt(plaintext)), st.text(min_size=1, max_size=80))
        )
        nonce = "12345"
        query = {
            "msg_signature": fuzz.wecom.sign(ts, nonce, echostr),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": echostr,
        }
        await fuzz.check(FuzzRequest("GET", str(URL.build(path="/wecom/callback", query=query)), (), b""))
        return
    garbage = data.draw(
        st.one_of(st.none(), st.text(min_size=1, max_size=80).filter(lambda t: "]]>" not in t))
    )
    overrides = {"encrypt": garbage} if garbage else {}
    query, body = fuzz.wecom.envelope(plaintext, ts, WECOM_AGENT, **overrides)
    await fuzz.check(FuzzRequest("POST", str(URL.build(path="/wecom/callback", query=query)), (), body))
