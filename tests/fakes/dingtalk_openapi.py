"""A fake DingTalk OpenAPI (api.dingtalk.com + oapi.dingtalk.com) on aiohttp, for tests.

It checks what the real one checks (token, fields, string-only card data) and records every call,
so tests assert what DingTalk would have received. Failures are programmable: token expiry,
throttling, missing permissions, undeliverable cards.
"""

from __future__ import annotations

import json
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

from bot.messengers.dingtalk.signing import robot_sign
from tests.fakes.dingtalk_card_template import CardView, ShownButton, render
from tests.fakes.dingtalk_gateway import FakeGateway

CLIENT_ID = "dingfakeclientid"
CLIENT_SECRET = "fake-client-secret-0123456789"
TEMPLATE_ID = "f0e1d2c3-tiji.schema"


@dataclass
class FakeCard:
    out_track_id: str
    space: str
    template_id: str
    callback_type: str
    data: dict[str, str]
    history: list[dict[str, str]] = field(default_factory=list)

    def view(self) -> CardView:
        """The card as its recipient sees it now (the card template applied to its data)."""
        return render(self.data)

    def shown_button(self, action: str, option: str = "") -> ShownButton:
        """The button that sends ``action`` (and ``option``), as shown now or, for a tap on a card
        that has changed since, as it was last shown."""
        for data in [self.data, *reversed(self.history)]:
            for button in render(data).buttons:
                if button.params.get("action") == action and button.params.get("option", "") == option:
                    return button
        raise AssertionError(f"card {self.out_track_id} never showed a button for {action!r} {option!r}")


@dataclass
class FakeDingTalk:
    """State of the fake; tests read the recordings and set the failure knobs."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    template_id: str = TEMPLATE_ID
    tokens: set[str] = field(default_factory=set)
    token_fetches: int = 0
    calls: list[tuple[str, str]] = field(default_factory=list)
    texts: list[dict[str, Any]] = field(default_factory=list)
    group_messages: list[dict[str, Any]] = field(default_factory=list)
    webhook_messages: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[tuple[str, bytes]] = field(default_factory=list)
    cards: dict[str, FakeCard] = field(default_factory=dict)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    registered_callbacks: list[dict[str, Any]] = field(default_factory=list)
    # failure knobs
    throttle: dict[str, int] = field(default_factory=dict)  # path → how many calls to throttle
    deny: dict[str, str] = field(default_factory=dict)  # path → scope it requires
    undeliverable: set[str] = field(default_factory=set)  # user ids createAndDeliver fails for
    invalid_staff: set[str] = field(default_factory=set)
    webhook_secret: str | None = None
    webhook_token: str = "webhooktoken"
    departments: dict[int, list[int]] = field(default_factory=lambda: {1: []})
    users: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    gateway: FakeGateway | None = None
    base_url: str = ""
    # DingTalk's limit: 20 calls a second per app and API; more answer 403 QpsLimitForAppkeyAndApi
    qps_limit: int = 20
    qps_rejected: int = 0
    _per_second: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    auth_codes: dict[str, str] = field(default_factory=dict)  # free-login code → userid
    # The console's web (QR) login: who scans (a userid of ``corp_id``, or an outsider's unionId
    # when ``web_login_outsider``), the codes and user tokens handed out, the logins asked for.
    web_login_userid: str | None = None
    web_login_corp_id: str = "dingcorp"
    web_login_codes: dict[str, str] = field(default_factory=dict)  # authCode → unionId
    user_tokens: dict[str, str] = field(default_factory=dict)  # user access token → unionId
    web_logins: list[dict[str, str]] = field(default_factory=list)

    def issue_auth_code(self, userid: str) -> str:
        """What ``dd.requestAuthCode`` gives the page of ``userid`` inside the DingTalk app."""
        code = f"authcode-{len(self.auth_codes) + 1}-{userid}"
        self.auth_codes[code] = userid
        return code

    def expire_tokens(self) -> None:
        """Every issued token stops working (as after 2 h)."""
        self.tokens.clear()

    def texts_to(self, user_id: str) -> list[str]:
        out = []
        for call in self.texts:
            if user_id in call["userIds"]:
                param = json.loads(call["msgParam"])
                out.append(param.get("content") or param.get("text") or "")
        return out

    def cards_to(self, user_id: str) -> list[FakeCard]:
        return [card for card in self.cards.values() if card.space == f"IM_ROBOT.{user_id}"]

    # -- helpers -----------------------------------------------------------------------------

    def _token_ok(self, request: web.Request, legacy: bool) -> bool:
        token = (
            request.query.get("access_token")
            if legacy
            else request.headers.get("x-acs-dingtalk-access-token")
        )
        return token in self.tokens

    def _over_qps(self, path: str) -> bool:
        second = int(time.time())
        self._per_second[(path, second)] += 1
        if self._per_second[(path, second)] <= self.qps_limit:
            return False
        self.qps_rejected += 1
        return True

    def _fail(self, path: str, legacy: bool) -> web.Response | None:
        throttled = self.throttle.get(path, 0) > 0
        if throttled:
            self.throttle[path] -= 1
        if throttled or self._over_qps(path):
            if legacy:
                return web.json_response({"errcode": 90018, "errmsg": "当前应用调用该接口的并发量超过限制"})
            return web.json_response(
                {"code": "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "message": "qps limit"}, status=403
            )
        if path in self.deny:
            if legacy:
                return web.json_response(
                    {"errcode": 60011, "errmsg": f"没有调用该接口的权限 {self.deny[path]}"}
                )
            return web.json_response(
                {
                    "code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                    "message": "没有调用该接口的权限",
                    "accessdenieddetail": {"requiredScopes": [self.deny[path]]},
                },
                status=403,
            )
        return None

    async def _guard(self, request: web.Request, path: str, legacy: bool = False) -> web.Response | None:
        self.calls.append((request.method, path))
        if not self._token_ok(request, legacy):
            if legacy:
                return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "token invalid"}, status=401
            )
        return self._fail(path, legacy)

    # -- api.dingtalk.com --------------------------------------------------------------------

    async def access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.token_fetches += 1
        if body.get("appKey") != self.client_id or body.get("appSecret") != self.client_secret:
            return web.json_response(
                {"code": "invalidClientIdOrSecret", "message": "无效的clientId或clientSecret"}, status=400
            )
        token = secrets.token_hex(16)
        self.tokens.add(token)
        return web.json_response({"accessToken": token, "expireIn": 7200})

    async def create_and_deliver(self, request: web.Request) -> web.Response:
        path = "/v1.0/card/instances/createAndDeliver"
        if (failed := await self._guard(request, path)) is not None:
            return failed
        body = await request.json()
        if body.get("cardTemplateId") != self.template_id:
            return web.json_response({"code": "param.templateNotExist", "message": "模板不存在"}, status=400)
        params = body["cardData"]["cardParamMap"]
        assert all(isinstance(v, str) for v in params.values()), "cardParamMap values must be strings"
        out_track_id = body["outTrackId"]
        if out_track_id in self.cards:
            return web.json_response({"code": "param.cardAlreadyExist", "message": "卡片已存在"}, status=400)
        space = body["openSpaceId"].removeprefix("dtv1.card//")
        assert body["callbackType"] in ("STREAM", "HTTP")
        if body["callbackType"] == "HTTP":
            assert body.get("callbackRouteKey")
        kind = space.split(".", 1)[0]
        if kind == "IM_ROBOT":
            assert body["imRobotOpenDeliverModel"]["robotCode"]
        target = space.split(".", 1)[1]
        if target in self.undeliverable:
            return web.json_response(
                {"result": {"outTrackId": out_track_id, "deliverResults": [
                    {"spaceType": kind, "spaceId": target, "success": False, "errorMsg": "用户不在机器人可见范围"}]}}
            )  # fmt: skip
        self.cards[out_track_id] = FakeCard(
            out_track_id, space, body["cardTemplateId"], body["callbackType"], dict(params), [dict(params)]
        )
        return web.json_response(
            {"success": True, "result": {"outTrackId": out_track_id, "deliverResults": [
                {"spaceType": kind, "spaceId": target, "success": True, "carrierId": secrets.token_hex(4)}]}}
        )  # fmt: skip

    async def update_card(self, request: web.Request) -> web.Response:
        path = "/v1.0/card/instances"
        if (failed := await self._guard(request, path)) is not None:
            return failed
        body = await request.json()
        card = self.cards.get(body.get("outTrackId"))
        if card is None:
            return web.json_response({"code": "param.cardNotExist", "message": "卡片不存在"}, status=400)
        params = body["cardData"]["cardParamMap"]
        assert all(isinstance(v, str) for v in params.values())
        self.card_updates.append(body)
        options = body.get("cardUpdateOptions") or {}
        if options.get("updateCardDataByKey"):
            card.data.update(params)
        else:
            card.data = dict(params)
        card.history.append(dict(card.data))
        return web.json_response({"success": True, "result": True})

    async def batch_send(self, request: web.Request) -> web.Response:
        path = "/v1.0/robot/oToMessages/batchSend"
        if (failed := await self._guard(request, path)) is not None:
            return failed
        body = await request.json()
        assert body["robotCode"] and body["msgKey"] in ("sampleText", "sampleMarkdown")
        json.loads(body["msgParam"])
        invalid = [u for u in body["userIds"] if u in self.invalid_staff]
        if not invalid:
            self.texts.append(body)
        return web.json_response(
            {
                "processQueryKey": secrets.token_hex(8),
                "invalidStaffIdList": invalid,
                "flowControlledStaffIdList": [],
            }
        )

    async def group_send(self, request: web.Request) -> web.Response:
        path = "/v1.0/robot/groupMessages/send"
        if (failed := await self._guard(request, path)) is not None:
            return failed
        body = await request.json()
        assert body["openConversationId"] and body["robotCode"]
        self.group_messages.append({**body, "param": json.loads(body["msgParam"])})
        return web.json_response({"processQueryKey": secrets.token_hex(8)})

    async def register_callback(self, request: web.Request) -> web.Response:
        path = "/v1.0/card/callbacks/register"
        if (failed := await self._guard(request, path)) is not None:
            return failed
        self.registered_callbacks.append(await request.json())
        return web.json_response({"success": True, "result": {"callbackUrl": "ok"}})

    async def open_connection(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response(
                {"code": "invalidClientIdOrSecret", "message": "无效的clientId"}, status=401
            )
        assert self.gateway is not None
        topics = {s["topic"] for s in body.get("subscriptions", [])}
        ticket = self.gateway.issue_ticket(topics)
        return web.json_response(
            {"endpoint": f"{self.base_url.replace('http', 'ws', 1)}/connect", "ticket": ticket}
        )

    # -- oapi.dingtalk.com -------------------------------------------------------------------

    async def listsub(self, request: web.Request) -> web.Response:
        path = "/topapi/v2/department/listsub"
        if (failed := await self._guard(request, path, legacy=True)) is not None:
            return failed
        dept_id = (await request.json())["dept_id"]
        children = self.departments.get(dept_id, [])
        return web.json_response(
            {
                "errcode": 0,
                "result": [{"dept_id": c, "name": f"部门{c}", "parent_id": dept_id} for c in children],
            }
        )

    async def user_list(self, request: web.Request) -> web.Response:
        path = "/topapi/v2/user/list"
        if (failed := await self._guard(request, path, legacy=True)) is not None:
            return failed
        body = await request.json()
        assert body["size"] <= 100
        everyone = self.users.get(body["dept_id"], [])
        start = int(body["cursor"] or 0)
        page = everyone[start : start + 2]  # small pages so paging is exercised
        more = start + 2 < len(everyone)
        result = {"has_more": more, "list": page, **({"next_cursor": start + 2} if more else {})}
        return web.json_response({"errcode": 0, "result": result})

    async def user_getuserinfo(self, request: web.Request) -> web.Response:
        """H5 free login: a code works once."""
        path = "/topapi/v2/user/getuserinfo"
        if (failed := await self._guard(request, path, legacy=True)) is not None:
            return failed
        userid = self.auth_codes.pop(str((await request.json()).get("code", "")), None)
        if userid is None:
            return web.json_response({"errcode": 40078, "errmsg": "不存在的临时授权码"})
        result = {"userid": userid, "unionid": f"union-{userid}", "name": userid, "sys": False}
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": result})

    # -- the console's web login ----------------------------------------------------------------

    async def oauth2_auth(self, request: web.Request) -> web.Response:
        """login.dingtalk.com's page: as if ``web_login_userid`` scanned, back with an authCode."""
        query = dict(request.query)
        self.web_logins.append(query)
        if query.get("client_id") != self.client_id or query.get("response_type") != "code":
            return web.Response(status=400, text="client_id or response_type wrong")
        union = f"union-{self.web_login_userid}" if self.web_login_userid else "union-outsider"
        code = secrets.token_hex(8)
        self.web_login_codes[code] = union
        target = URL(query["redirect_uri"]).update_query(
            authCode=code, code=code, state=query.get("state", "")
        )
        raise web.HTTPFound(str(target))

    async def user_access_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append((request.method, "/v1.0/oauth2/userAccessToken"))
        if body.get("clientId") != self.client_id or body.get("clientSecret") != self.client_secret:
            return web.json_response(
                {"code": "invalidClientIdOrSecret", "message": "无效的clientId"}, status=400
            )
        union = self.web_login_codes.pop(str(body.get("code", "")), None)
        if union is None or body.get("grantType") != "authorization_code":
            return web.json_response({"code": "invalidAuthCode", "message": "不合法的临时授权码"}, status=400)
        token = secrets.token_hex(16)
        self.user_tokens[token] = union
        return web.json_response(
            {"accessToken": token, "refreshToken": "r", "expireIn": 7200, "corpId": self.web_login_corp_id}
        )

    async def users_me(self, request: web.Request) -> web.Response:
        self.calls.append((request.method, "/v1.0/contact/users/me"))
        union = self.user_tokens.get(request.headers.get("x-acs-dingtalk-access-token", ""))
        if union is None:
            return web.json_response(
                {"code": "InvalidAuthentication", "message": "不合法的access_token"}, status=401
            )
        return web.json_response(
            {"nick": union, "unionId": union, "openId": f"open-{union}", "stateCode": "86"}
        )

    async def getbyunionid(self, request: web.Request) -> web.Response:
        path = "/topapi/user/getbyunionid"
        if (failed := await self._guard(request, path, legacy=True)) is not None:
            return failed
        union = str((await request.json()).get("unionid", ""))
        if not union.startswith("union-") or union == "union-outsider":
            return web.json_response({"errcode": 60121, "errmsg": "找不到该用户"})
        result = {"contact_type": 0, "userid": union.removeprefix("union-")}
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": result})

    async def media_upload(self, request: web.Request) -> web.Response:
        path = "/media/upload"
        if (failed := await self._guard(request, path, legacy=True)) is not None:
            return failed
        form = await request.post()
        media = form["media"]
        assert isinstance(media, web.FileField)
        self.uploads.append((media.filename, media.file.read()))
        return web.json_response({"errcode": 0, "media_id": f"@media{len(self.uploads)}", "type": "file"})

    async def robot_send(self, request: web.Request) -> web.Response:
        """The custom-robot webhook (checks the signature when a secret is configured)."""
        if request.query.get("access_token") != self.webhook_token:
            return web.json_response({"errcode": 300001, "errmsg": "token is not exist"})
        if self.webhook_secret:
            ts, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if sign != robot_sign(ts, self.webhook_secret):
                return web.json_response({"errcode": 310000, "errmsg": "sign not match"})
        self.webhook_messages.append(await request.json())
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1.0/oauth2/accessToken", self.access_token)
        app.router.add_post("/v1.0/card/instances/createAndDeliver", self.create_and_deliver)
        app.router.add_put("/v1.0/card/instances", self.update_card)
        app.router.add_post("/v1.0/robot/oToMessages/batchSend", self.batch_send)
        app.router.add_post("/v1.0/robot/groupMessages/send", self.group_send)
        app.router.add_post("/v1.0/card/callbacks/register", self.register_callback)
        app.router.add_post("/v1.0/gateway/connections/open", self.open_connection)
        app.router.add_post("/topapi/v2/department/listsub", self.listsub)
        app.router.add_post("/topapi/v2/user/list", self.user_list)
        app.router.add_post("/topapi/v2/user/getuserinfo", self.user_getuserinfo)
        app.router.add_post("/media/upload", self.media_upload)
        app.router.add_get("/oauth2/auth", self.oauth2_auth)
        app.router.add_post("/v1.0/oauth2/userAccessToken", self.user_access_token)
        app.router.add_get("/v1.0/contact/users/me", self.users_me)
        app.router.add_post("/topapi/user/getbyunionid", self.getbyunionid)
        app.router.add_post("/robot/send", self.robot_send)
        if self.gateway is not None:
            self.gateway.add_routes(app)
        return app


@asynccontextmanager
async def running_fake_dingtalk() -> AsyncIterator[FakeDingTalk]:
    """The fake OpenAPI and Stream gateway on one local port; ``fake.base_url`` is its address."""
    fake = FakeDingTalk(gateway=FakeGateway())
    server = TestServer(fake.app(), host="127.0.0.1")
    await server.start_server()
    fake.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield fake
    finally:
        assert fake.gateway is not None
        await fake.gateway.close_all()
        await server.close()
