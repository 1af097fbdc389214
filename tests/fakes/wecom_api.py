"""A fake WeCom API server (aiohttp) for tests: every endpoint the adapter uses.

It checks request shapes against WeCom's documented limits (independently of the adapter's own
checks), answers like WeCom does (``errcode``/``errmsg``, ``msgid``, ``response_code``) and can be
told to fail: expire tokens (42001), rate-limit (45009), untrusted IP (60020), or any errcode on
the next calls of a path. It also drops, as WeCom does silently, app messages beyond 30 a minute
to one member, so tests can prove the adapter's limiter keeps under it, and a ``message/send`` with
``enable_duplicate_check`` whose body is byte-identical to one accepted within
``duplicate_check_interval`` seconds (answered ``ok`` with the first message's msgid, shown to
nobody, counted in ``duplicates``).
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from yarl import URL

TASK_ID = re.compile(r"^[0-9A-Za-z_\-@]{1,128}$")
CARD_TYPES = {"text_notice", "news_notice", "button_interaction", "vote_interaction", "multiple_interaction"}
CODE_LIFETIME = 72 * 3600


@dataclass
class Delivery:
    """One accepted ``message/send``."""

    touser: str
    msgtype: str
    body: dict[str, Any]
    msgid: str
    response_code: str | None = None

    @property
    def card(self) -> dict[str, Any]:
        card: dict[str, Any] = self.body["template_card"]
        return card

    @property
    def content(self) -> str:
        return str(self.body.get(self.msgtype, {}).get("content", ""))


@dataclass
class FakeWeCom:
    corp_id: str = "ww0123456789abcdef"
    secret: str = "app-secret-0123456789abcdefghijklmnopqrstuvw"
    contacts_secret: str = "contacts-secret-0123456789abcdefghijklmnop"
    agent_id: int = 1000002
    now: Callable[[], float] = time.time
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # userid → {name, mobile, department}
    departments: list[dict[str, Any]] = field(
        default_factory=lambda: [{"id": 1, "name": "本单位", "parentid": 0}]
    )
    chats: set[str] = field(default_factory=set)
    robot_keys: set[str] = field(default_factory=set)
    trusted_ip: bool = True
    callback_configured: bool = True

    tokens: dict[str, str] = field(default_factory=dict)  # token → "app" | "contacts"
    expired: set[str] = field(default_factory=set)
    gettoken_calls: int = 0
    calls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: list[Delivery] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    updates: list[dict[str, Any]] = field(default_factory=list)
    appchat: list[dict[str, Any]] = field(default_factory=list)
    webhooks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # every upload, by media_id
    task_ids: set[str] = field(default_factory=set)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # response_code → task, used, at
    failures: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    # message/send knobs of the fault tests: HTTP statuses to answer before anything is recorded
    # (a 500 from WeCom's gateway), and seconds to hold the answer after a send was accepted (a
    # timeout, or a worker killed between WeCom accepting and tiji recording it).
    http_failures: list[int] = field(default_factory=list)
    answer_delay: float = 0.0
    card_answer_delays: list[float] = field(default_factory=list)  # one-off holds of card sends
    _member_log: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _robot_log: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _recent: dict[str, tuple[float, str]] = field(default_factory=dict)
    server: TestServer | None = None
    # OAuth2 (snsapi_base): who is signed in to the WeCom app on the "phone", and the codes issued.
    oauth_userid: str | None = None
    oauth_openid: str = "o-outsider"  # what a non-member gets instead of a userid
    oauth_codes: dict[str, str | None] = field(default_factory=dict)  # code → userid (None: outsider)
    oauth_redirects: list[dict[str, str]] = field(default_factory=list)
    web_logins: list[dict[str, str]] = field(default_factory=list)  # the console's QR logins asked for

    # ---- test controls ---------------------------------------------------------------------------

    def add_user(self, userid: str, name: str, mobile: str = "", department: int = 1) -> None:
        self.users[userid] = {"name": name, "mobile": mobile, "department": [department]}

    def expire_tokens(self) -> None:
        """WeCom invalidated every token early: the next call with one gets 42001."""
        self.expired |= set(self.tokens)

    def fail(self, path: str, errcode: int, times: int = 1) -> None:
        self.failures[path].extend([errcode] * times)

    def click(self, task_id: str) -> str:
        """A member tapped a button on ``task_id``: WeCom issues a fresh ResponseCode for it."""
        assert task_id in self.task_ids, f"no card with task_id {task_id}"
        return self._issue_code(task_id)

    def member_log(self, userid: str) -> list[float]:
        """When app messages to ``userid`` were accepted (the per-member minute's record)."""
        return list(self._member_log.get(userid, []))

    def cards_to(self, userid: str) -> list[Delivery]:
        return [d for d in self.sent if d.touser == userid and d.msgtype == "template_card"]

    def texts_to(self, userid: str) -> list[str]:
        return [d.content for d in self.sent if d.touser == userid and d.msgtype in ("text", "markdown")]

    def files_to(self, userid: str) -> list[tuple[str, bytes]]:
        """The files ``message/send`` delivered to ``userid``: the uploaded name and content."""
        return [
            self.media[d.body["file"]["media_id"]]
            for d in self.sent
            if d.touser == userid and d.msgtype == "file"
        ]

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> None:
        self.server = TestServer(self.app())
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    # ---- the server ------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/cgi-bin/gettoken", self.gettoken)
        r.add_post("/cgi-bin/message/send", self.message_send)
        r.add_post("/cgi-bin/message/update_template_card", self.update_template_card)
        r.add_post("/cgi-bin/appchat/send", self.appchat_send)
        r.add_post("/cgi-bin/media/upload", self.media_upload)
        r.add_post("/cgi-bin/webhook/send", self.webhook_send)
        r.add_post("/cgi-bin/webhook/upload_media", self.webhook_upload)
        r.add_get("/cgi-bin/department/list", self.department_list)
        r.add_get("/cgi-bin/user/simplelist", self.user_simplelist)
        r.add_post("/cgi-bin/user/getuserid", self.user_getuserid)
        r.add_get("/connect/oauth2/authorize", self.oauth_authorize)
        r.add_get("/wwlogin/sso/login", self.sso_login)
        r.add_get("/cgi-bin/auth/getuserinfo", self.auth_getuserinfo)
        return app

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        self.calls.append((request.path, dict(request.query)))
        untokened = request.path in {"/cgi-bin/gettoken", "/connect/oauth2/authorize", "/wwlogin/sso/login"}
        if not untokened and not request.path.startswith("/cgi-bin/webhook/"):
            token = request.query.get("access_token", "")
            if token not in self.tokens:
                return _err(40014, "invalid access_token")
            if token in self.expired:
                return _err(42001, "access_token expired")
            if not self.trusted_ip:
                return _err(60020, "not allow to access from your ip")
        queued = self.failures.get(request.path)
        if queued:
            return _err(queued.pop(0), "injected failure")
        result: web.StreamResponse = await handler(request)
        return result

    async def oauth_authorize(self, request: web.Request) -> web.Response:
        """WeCom's authorize page inside the app: back to ``redirect_uri`` with a fresh code for
        whoever ``oauth_userid`` says is using the phone (an outsider when None)."""
        query = dict(request.query)
        self.oauth_redirects.append(query)
        if query.get("appid") != self.corp_id or query.get("scope") != "snsapi_base":
            return web.Response(status=400, text="appid or scope wrong")
        code = secrets.token_urlsafe(16)
        self.oauth_codes[code] = self.oauth_userid
        target = URL(query["redirect_uri"]).update_query(code=code, state=query.get("state", ""))
        raise web.HTTPFound(str(target))

    async def sso_login(self, request: web.Request) -> web.Response:
        """WeCom's web (QR) login page: as if ``oauth_userid`` scanned the code, back to
        ``redirect_uri`` with a fresh code (exchanged by ``auth/getuserinfo`` like the OAuth's)."""
        query = dict(request.query)
        self.web_logins.append(query)
        if query.get("appid") != self.corp_id or query.get("login_type") != "CorpApp":
            return web.Response(status=400, text="appid or login_type wrong")
        if query.get("agentid") != str(self.agent_id):
            return web.Response(status=400, text="agentid wrong")
        code = secrets.token_urlsafe(16)
        self.oauth_codes[code] = self.oauth_userid
        target = URL(query["redirect_uri"]).update_query(
            code=code, state=query.get("state", ""), appid=self.corp_id
        )
        raise web.HTTPFound(str(target))

    async def auth_getuserinfo(self, request: web.Request) -> web.Response:
        """A code works once (40029 after, as for an unknown one); an outsider gets an openid."""
        code = request.query.get("code", "")
        if code not in self.oauth_codes:
            return _err(40029, "invalid code")
        userid = self.oauth_codes.pop(code)
        if userid is None:
            return web.json_response({"errcode": 0, "errmsg": "ok", "openid": self.oauth_openid})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": ""})

    async def gettoken(self, request: web.Request) -> web.Response:
        self.gettoken_calls += 1
        if request.query.get("corpid") != self.corp_id:
            return _err(40013, "invalid corpid")
        kinds = {self.secret: "app", self.contacts_secret: "contacts"}
        kind = kinds.get(request.query.get("corpsecret", ""))
        if kind is None:
            return _err(40001, "invalid credential")
        token = secrets.token_urlsafe(48)
        self.tokens[token] = kind
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def _json(self, request: web.Request) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(await request.read())
        return data

    async def message_send(self, request: web.Request) -> web.Response:
        if self.http_failures:
            return web.Response(status=self.http_failures.pop(0), text="upstream error")
        answer = await self._message_send(request)
        delay = self.answer_delay
        if self.card_answer_delays and (await self._json(request)).get("msgtype") == "template_card":
            delay = self.card_answer_delays.pop(0)
        if delay:
            await asyncio.sleep(delay)
        return answer

    async def _message_send(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if body.get("agentid") != self.agent_id:
            return _err(40056, "invalid agentid")
        msgtype = body.get("msgtype")
        if msgtype not in body:
            return _err(40008, "invalid message type")
        fingerprint = (await request.read()).decode()  # WeCom compares the request as sent
        if body.get("enable_duplicate_check"):
            interval = int(body.get("duplicate_check_interval", 1800))
            previous = self._recent.get(fingerprint)
            if previous and self.now() - previous[0] < interval:
                self.duplicates += 1
                return web.json_response(
                    {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": previous[1]}
                )
        problem = self._check_message(msgtype, body[msgtype])
        if problem:
            return _err(40058, problem)
        recipients = [u for u in str(body.get("touser", "")).split("|") if u]
        invalid = [u for u in recipients if self.users and u not in self.users]
        valid = [u for u in recipients if u not in invalid]
        if not valid:
            return _err(81013, "user & party & tag all invalid")
        msgid = secrets.token_hex(12)
        self._recent[fingerprint] = (self.now(), msgid)
        code = None
        if msgtype == "template_card":
            task_id = body[msgtype]["task_id"]
            self.task_ids.add(task_id)
            code = self._issue_code(task_id)
        for user in valid:
            window = [t for t in self._member_log[user] if self.now() - t < 60]
            window.append(self.now())
            self._member_log[user] = window
            if len(window) > 30:  # WeCom drops these without telling anyone
                self.dropped.append(body)
                continue
            self.sent.append(Delivery(user, str(msgtype), body, msgid, code))
        answer: dict[str, Any] = {
            "errcode": 0,
            "errmsg": "ok",
            "invaliduser": "|".join(invalid),
            "msgid": msgid,
        }
        if code:
            answer["response_code"] = code
        return web.json_response(answer)

    def _check_message(self, msgtype: str, content: dict[str, Any]) -> str | None:
        if msgtype in ("text", "markdown"):
            text = str(content.get("content", ""))
            if not text or len(text.encode()) > 2048:
                return f"{msgtype} content empty or over 2048 bytes"
            return None
        if msgtype == "file":
            return None if content.get("media_id") in self.media else "invalid media_id"
        if msgtype == "template_card":
            if not self.callback_configured and content.get("card_type") != "text_notice":
                return None  # reported as 43012 by the caller
            problem = check_template_card(content)
            if problem:
                return problem
            if content["task_id"] in self.task_ids:
                return f"task_id {content['task_id']} already exists"
            return None
        return f"unsupported msgtype {msgtype}"

    def _issue_code(self, task_id: str) -> str:
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"task_id": task_id, "used": False, "at": self.now()}
        return code

    async def update_template_card(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if body.get("agentid") != self.agent_id:
            return _err(42015, "agentid mismatch")
        if not (body.get("userids") or body.get("partyids") or body.get("tagids") or body.get("atall")):
            return _err(40058, "no receiver")
        code = self.codes.get(str(body.get("response_code", "")))
        if code is None or code["used"] or self.now() - code["at"] > CODE_LIFETIME:
            return _err(40058, "invalid response_code")
        if "button" in body:
            if not body["button"].get("replace_name"):
                return _err(40058, "button.replace_name missing")
        elif "template_card" in body:
            problem = check_template_card(body["template_card"])
            if problem:
                return _err(40058, problem)
        else:
            return _err(40058, "neither button nor template_card")
        code["used"] = True
        self.updates.append({**body, "task_id": code["task_id"]})
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": []})

    async def appchat_send(self, request: web.Request) -> web.Response:
        body = await self._json(request)
        if body.get("chatid") not in self.chats:
            return _err(86003, "chatid not exists")
        msgtype = str(body.get("msgtype"))
        if msgtype not in ("text", "markdown", "file"):
            return _err(40008, "invalid message type")
        problem = self._check_message(msgtype, body.get(msgtype) or {})
        if problem:
            return _err(40058, problem)
        self.appchat.append(body)
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        if request.query.get("type") != "file":
            return _err(40004, "invalid media type")
        reader = await request.multipart()
        part = await reader.next()
        if part is None or getattr(part, "name", None) != "media" or not getattr(part, "filename", None):
            return _err(41001, "media field with a filename required")
        content = await part.read()  # type: ignore[union-attr]
        if not content or len(content) > 20 * 1024 * 1024:
            return _err(40006, "invalid file size")
        media_id = secrets.token_urlsafe(32)
        self.media[media_id] = (str(part.filename), bytes(content))  # type: ignore[union-attr]
        return web.json_response({"errcode": 0, "errmsg": "", "type": "file", "media_id": media_id})

    async def media_upload(self, request: web.Request) -> web.Response:
        return await self._upload(request)

    async def webhook_upload(self, request: web.Request) -> web.Response:
        if request.query.get("key") not in self.robot_keys:
            return _err(93000, "invalid webhook url")
        return await self._upload(request)

    async def webhook_send(self, request: web.Request) -> web.Response:
        key = request.query.get("key", "")
        if key not in self.robot_keys:
            return _err(93000, "invalid webhook url")
        window = [t for t in self._robot_log[key] if self.now() - t < 60]
        if len(window) >= 20:
            return _err(45009, "api freq out of limit")
        window.append(self.now())
        self._robot_log[key] = window
        body = await self._json(request)
        msgtype = str(body.get("msgtype"))
        if msgtype == "markdown":
            if len(str(body["markdown"].get("content", "")).encode()) > 4096:
                return _err(40058, "markdown over 4096 bytes")
        elif msgtype == "file":
            if body["file"].get("media_id") not in self.media:
                return _err(40007, "invalid media_id")
        elif msgtype != "text":
            return _err(40008, "invalid message type")
        self.webhooks.append((key, body))
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def department_list(self, request: web.Request) -> web.Response:
        return web.json_response({"errcode": 0, "errmsg": "ok", "department": self.departments})

    async def user_simplelist(self, request: web.Request) -> web.Response:
        try:
            dept = int(request.query["department_id"])
        except (KeyError, ValueError):
            return _err(40058, "department_id required")
        users = [
            {"userid": uid, "name": u["name"], "department": u["department"]}
            for uid, u in self.users.items()
            if dept in u["department"]
        ]
        return web.json_response({"errcode": 0, "errmsg": "ok", "userlist": users})

    async def user_getuserid(self, request: web.Request) -> web.Response:
        mobile = (await self._json(request)).get("mobile")
        for uid, u in self.users.items():
            if mobile and u.get("mobile") == mobile:
                return web.json_response({"errcode": 0, "errmsg": "ok", "userid": uid})
        return _err(46004, "user not found")


def check_template_card(card: dict[str, Any]) -> str | None:
    """WeCom's documented limits for a template card, or None."""
    if card.get("card_type") not in CARD_TYPES:
        return "invalid card_type"
    task_id = str(card.get("task_id", ""))
    if card["card_type"] != "text_notice" and (not TASK_ID.match(task_id) or len(task_id.encode()) > 128):
        return f"invalid task_id {task_id!r}"
    if not (card.get("main_title") or {}).get("title"):
        return "main_title.title required"
    if len(card.get("horizontal_content_list") or []) > 6:
        return "horizontal_content_list over 6"
    buttons = card.get("button_list") or []
    if card["card_type"] == "button_interaction":
        if not 1 <= len(buttons) <= 6:
            return "button_list must have 1–6 buttons"
        if any(
            b.get("type") == 1 and not str(b.get("url", "")).startswith(("http://", "https://"))
            for b in buttons
        ):
            return "url button needs an http(s) url"
        keys = [b.get("key") for b in buttons if b.get("type", 0) != 1]
        if any(not k or len(str(k).encode()) > 1024 for k in keys):
            return "button key missing or over 1024 bytes"
        if len(set(keys)) != len(keys):
            return "button keys repeat"
        if any(b.get("style", 1) not in (1, 2, 3, 4) for b in buttons):
            return "button style out of 1–4"
    if card["card_type"] == "text_notice" and (card.get("card_action") or {}).get("type") != 1:
        return "text_notice needs card_action (type 1 with a url here)"
    action = card.get("card_action")
    if (
        action
        and action.get("type") == 1
        and not str(action.get("url", "")).startswith(("http://", "https://"))
    ):
        return "card_action type 1 needs an http(s) url"
    if len(card.get("jump_list") or []) > 3:
        return "jump_list over 3"
    selection = card.get("button_selection")
    if selection:
        options = selection.get("option_list") or []
        if not 1 <= len(options) <= 10:
            return "button_selection needs 1–10 options"
        if not selection.get("question_key") or len(str(selection["question_key"]).encode()) > 1024:
            return "question_key missing or too long"
        if any(len(str(o.get("id", "")).encode()) > 128 or not o.get("id") for o in options):
            return "option id missing or over 128 bytes"
    return None


def _err(code: int, message: str) -> web.Response:
    return web.json_response({"errcode": code, "errmsg": message})
