"""Async WeCom API client on aiohttp, with the access token shared through Redis.

* One token per (CorpID, secret), cached in Redis for ``expires_in - 300`` s and shared by every
  process; only one process refreshes it at a time (``bot.runtime.locks``), the others wait and re-read.
* 40014/42001 (token invalid/expired early): the failing token is deleted only if it is still the
  cached one, a fresh one is fetched once and the call retried once.
* 40001 is a wrong secret, not an expired token: reported, never looped on.
* 45009 (frequency limit) pauses every call of this scope for 60 s; 45033 and -1 back off briefly.
* Errors name the admin setting to fix (60020 trusted IP, 43012 callback URL, …).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import aiohttp
from redis.asyncio import Redis

from bot.outbound import DeliveryError
from bot.runtime.locks import held

log = logging.getLogger(__name__)

INVALID_CREDENTIAL = 40001  # gettoken: the secret is wrong (not an expired token)
INVALID_PARAMETER = 40058  # a parameter the API refuses (WeCom also says it for some stale task ids)

TOKEN_EXPIRED = frozenset({40014, 42001})
BUSY = -1
RATE_LIMITED = 45009
TOO_CONCURRENT = 45033
_TIMEOUT = aiohttp.ClientTimeout(total=15)
_LOCK_SECONDS = 10
_LOCK_WAIT_SECONDS = _LOCK_SECONDS + 5  # long enough for a holder to finish or its lock to expire
_BUSY_RETRIES = 2
_PAUSE_SECONDS = 60
# How long a process trusts what it last read from Redis (the token, "no pause"): a round trip per call
# was a third of the worker's CPU. A pause another process set is seen this much later (those calls get
# WeCom's 45009 and are retried); one this process meets, or a token refusal, is acted on at once.
SHARED_STATE_SECONDS = 0.5

_COMPARE_AND_DELETE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""

# errcode → (what to tell the admin, transient?)
_KNOWN: dict[int, tuple[str, bool]] = {
    40013: ("CorpID 无效：请检查 TIJI_WECOM_CORP_ID（管理后台 → 我的企业 → 企业ID）", False),
    40056: ("AgentId 无效：请检查 TIJI_WECOM_AGENT_ID（应用管理 → 本应用 → AgentId）", False),
    40058: ("请求参数不合规（40058）", False),
    42014: ("task_id 不合规（42014）", False),
    42015: ("更新卡片的应用与发送卡片的应用不一致（42015）：请检查 TIJI_WECOM_AGENT_ID", False),
    42016: ("task_id 不存在（42016）", False),
    43012: (
        "应用没有配置接收消息的回调URL，不能发送可点击的卡片（43012）：请在 应用管理 → 本应用 → "
        "接收消息 → 设置API接收 中填写 <TIJI_PUBLIC_URL>/wecom/callback、Token 和 EncodingAESKey",
        False,
    ),
    48002: ("应用没有调用该接口的权限（48002）：请在管理后台为本应用开启相应权限", False),
    60011: ("应用没有通讯录的查看权限（60011）：请设置应用可见范围，或配置通讯录同步 Secret", False),
    60020: (
        "本服务器的IP不在应用的企业可信IP中（60020）：请在 应用管理 → 本应用 → 开发者接口 → "
        "企业可信IP 中加入本服务器的出口IP（需先配置可信域名或接收消息服务器）",
        False,
    ),
    81013: (
        "接收人全部无效（81013）：请检查 org 文件中的 wecom_userid，或运行 tiji org sync wecom，"
        "并确认此人在应用可见范围内",
        False,
    ),
    93000: ("群机器人 webhook key 无效（93000）：请检查群的 wecom_robot_key 或 TIJI_WECOM_ROBOT_KEY", False),
    RATE_LIMITED: ("企业微信接口调用频率超限（45009），稍后重试", True),
    TOO_CONCURRENT: ("企业微信接口并发调用超限（45033），稍后重试", True),
    BUSY: ("企业微信系统繁忙（-1），稍后重试", True),
}


class WeComApiError(DeliveryError):
    """A WeCom API call failed; ``errcode`` is WeCom's (0 for HTTP/network failures)."""

    def __init__(
        self, message: str, *, errcode: int, transient: bool, retry_after: float | None = None
    ) -> None:
        super().__init__(
            message, transient=transient, retry_after=retry_after, rate_limited=errcode == RATE_LIMITED
        )
        self.errcode = errcode


class WeComClient:
    """Calls ``/cgi-bin/*`` of one app (or of the contacts-sync secret) with a shared token."""

    def __init__(
        self,
        *,
        http: aiohttp.ClientSession,
        redis: Redis,
        base_url: str,
        corp_id: str,
        secret: str,
        secret_setting: str = "TIJI_WECOM_SECRET",  # noqa: S107 - the setting's name, said in errors
    ) -> None:
        self.http = http
        self.redis = redis
        self.base_url = base_url.rstrip("/")
        self.corp_id = corp_id
        self._secret = secret
        self.secret_setting = secret_setting
        scope = hashlib.sha256(f"{corp_id}:{secret}".encode()).hexdigest()[:16]
        self.token_key = f"wecom:token:{scope}"
        self._lock_name = f"wecom:token:{scope}"
        self._pause_key = f"wecom:pause:{scope}"
        self._token: str | None = None  # the shared token as last read or fetched
        self._trusted_until = 0.0  # monotonic: until then, _token is current and nothing paused

    # ---- public calls -------------------------------------------------------------------------

    async def get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        return await self._call("GET", path, params or {}, lambda: {})

    async def post(
        self, path: str, body: dict[str, Any], params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return await self._call("POST", path, params or {}, lambda: {"json": body})

    async def upload(
        self, path: str, params: dict[str, str], *, filename: str, content: bytes, content_type: str
    ) -> dict[str, Any]:
        """``multipart/form-data`` upload with the file in field ``media`` (``media/upload``)."""
        return await self._call(
            "POST", path, params, lambda: {"data": _media_form(filename, content, content_type)}
        )

    async def webhook(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        """Group robot ``webhook/send`` (no token: the key is the credential)."""
        return await self._webhook_call("/cgi-bin/webhook/send", key, {}, lambda: {"json": body})

    async def webhook_upload(self, key: str, *, filename: str, content: bytes, content_type: str) -> str:
        data = await self._webhook_call(
            "/cgi-bin/webhook/upload_media",
            key,
            {"type": "file"},
            lambda: {"data": _media_form(filename, content, content_type)},
        )
        return str(data["media_id"])

    # ---- token ---------------------------------------------------------------------------------

    async def token(self) -> str:
        cached: str | None = await self.redis.get(self.token_key)
        if cached:
            return cached
        return await self._refresh()

    async def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the cached one (another process may have refreshed)."""
        self._token, self._trusted_until = None, 0.0
        await self.redis.eval(_COMPARE_AND_DELETE, 1, self.token_key, token)  # type: ignore[misc]

    async def _refresh(self) -> str:
        # One process fetches while the others wait for its lock and then find the token cached.
        async with held(self.redis, self._lock_name, ttl=_LOCK_SECONDS, wait=_LOCK_WAIT_SECONDS) as got:
            cached: str | None = await self.redis.get(self.token_key)
            if cached:
                return cached
            if not got:  # still held after the wait: the delivery job retries, no extra gettoken
                raise WeComApiError(
                    "等待企业微信 access_token 超时", errcode=0, transient=True, retry_after=5
                )
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        data = await self._http(
            "GET", "/cgi-bin/gettoken", {"corpid": self.corp_id, "corpsecret": self._secret}, {}
        )
        code = int(data.get("errcode", 0) or 0)
        if code == INVALID_CREDENTIAL:
            log.error("wecom gettoken refused the secret (40001)")
            raise WeComApiError(
                f"企业微信拒绝了应用 Secret（40001 invalid credential）：请检查 {self.secret_setting}"
                "（应用管理 → 本应用 → Secret；通讯录同步用 管理工具 → 通讯录同步 → Secret）",
                errcode=code,
                transient=False,
            )
        if code:
            raise self._error(code, data, "gettoken")
        token = str(data["access_token"])
        expires_in = int(data.get("expires_in", 7200))
        await self.redis.set(self.token_key, token, ex=max(60, expires_in - 300))
        log.info("wecom access token refreshed (valid %ss)", expires_in)
        return token

    # ---- plumbing ------------------------------------------------------------------------------

    async def _paused(self, key: str) -> None:
        self._raise_if_paused(await self.redis.pttl(key))

    @staticmethod
    def _raise_if_paused(ttl_ms: int | None) -> None:
        if ttl_ms and ttl_ms > 0:
            raise WeComApiError(
                "企业微信接口调用频率超限（45009），暂停发送中",
                errcode=RATE_LIMITED,
                transient=True,
                retry_after=ttl_ms / 1000,
            )

    async def _call(
        self, method: str, path: str, params: dict[str, str], body: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        cached = await self._shared_state()
        refreshed = False
        busy = 0
        while True:
            token = cached or await self.token()
            cached = None
            self._token = token
            data = await self._http(method, path, {**params, "access_token": token}, body())
            code = int(data.get("errcode", 0) or 0)
            if code == 0:
                return data
            if code in TOKEN_EXPIRED and not refreshed:
                log.info("wecom token rejected (%s) on %s; refreshing once", code, path)
                await self.invalidate(token)
                refreshed = True
                continue
            if code == BUSY and busy < _BUSY_RETRIES:
                busy += 1
                await asyncio.sleep(0.2 * 2**busy)
                continue
            if code == RATE_LIMITED:
                self._trusted_until = 0.0  # the next call reads the pause
                await self.redis.set(self._pause_key, "1", ex=_PAUSE_SECONDS)
            raise self._error(code, data, path)

    async def _shared_state(self) -> str | None:
        """Raise while this scope is paused; the cached token (or None). Read from Redis in one
        round trip at most every ``SHARED_STATE_SECONDS``."""
        now = time.monotonic()
        if self._token is not None and now < self._trusted_until:
            return self._token
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.pttl(self._pause_key)
            pipe.get(self.token_key)
            ttl_ms, cached = await pipe.execute()
        self._raise_if_paused(ttl_ms)
        self._token, self._trusted_until = cached, now + SHARED_STATE_SECONDS
        return cached  # type: ignore[no-any-return]

    async def _webhook_call(
        self, path: str, key: str, params: dict[str, str], body: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        pause_key = "wecom:pause:robot:" + hashlib.sha256(key.encode()).hexdigest()[:16]
        await self._paused(pause_key)
        data = await self._http("POST", path, {**params, "key": key}, body())
        code = int(data.get("errcode", 0) or 0)
        if code == RATE_LIMITED:
            await self.redis.set(pause_key, "1", ex=_PAUSE_SECONDS)
        if code:
            raise self._error(code, data, path)
        return data

    async def _http(
        self, method: str, path: str, params: dict[str, str], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        url = self.base_url + path
        try:
            async with self.http.request(method, url, params=params, timeout=_TIMEOUT, **kwargs) as resp:
                if resp.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
                    raise WeComApiError(
                        f"企业微信接口 {path} 返回 HTTP {resp.status}",
                        errcode=0,
                        transient=True,
                        retry_after=10,
                    )
                if resp.status != HTTPStatus.OK:
                    raise WeComApiError(
                        f"企业微信接口 {path} 返回 HTTP {resp.status}：请检查 TIJI_WECOM_API_BASE",
                        errcode=0,
                        transient=False,
                    )
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Never put the exception text in the message: it can carry the URL with the token.
            raise WeComApiError(
                f"连接企业微信接口 {path} 失败（{type(exc).__name__}）",
                errcode=0,
                transient=True,
                retry_after=10,
            ) from None
        except ValueError:
            raise WeComApiError(
                f"企业微信接口 {path} 的回答不是 JSON", errcode=0, transient=True, retry_after=10
            ) from None
        if not isinstance(data, dict):
            raise WeComApiError(
                f"企业微信接口 {path} 的回答格式不对", errcode=0, transient=True, retry_after=10
            )
        return data

    def _error(self, code: int, data: dict[str, Any], path: str) -> WeComApiError:
        errmsg = str(data.get("errmsg", ""))[:200]
        log.warning("wecom %s failed: errcode=%s errmsg=%s", path, code, errmsg)
        if code in TOKEN_EXPIRED:
            return WeComApiError(
                f"企业微信 access_token 刷新后仍被拒绝（{code}）",
                errcode=code,
                transient=True,
                retry_after=30,
            )
        if code in _KNOWN:
            message, transient = _KNOWN[code]
            if code == INVALID_PARAMETER:
                message += f"：{errmsg}"
            retry_after = {RATE_LIMITED: float(_PAUSE_SECONDS), TOO_CONCURRENT: 2.0, BUSY: 5.0}.get(code)
            return WeComApiError(message, errcode=code, transient=transient, retry_after=retry_after)
        return WeComApiError(f"企业微信接口 {path} 出错：{code} {errmsg}", errcode=code, transient=False)


def _media_form(filename: str, content: bytes, content_type: str) -> aiohttp.FormData:
    # WeCom shows the filename as sent: raw UTF-8 (as browsers send it), not percent-encoded.
    safe_name = "".join(c for c in filename if c not in '"\\\r\n') or "file"
    form = aiohttp.FormData(quote_fields=False)
    form.add_field("media", content, filename=safe_name, content_type=content_type)
    return form
