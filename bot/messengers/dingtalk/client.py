"""A thin DingTalk OpenAPI client: shared access token, per-app QPS limit, retries, clear errors.

- The access token lives in Redis so every process (web, workers, stream) shares one; it is
  refreshed once on a 401 / expired-token code. DingTalk returns the same token while it is valid.
- At most ``QPS_LIMIT`` calls per second per API for the app, counted in Redis across processes.
- Throttling answers (90018/90002, ``QpsLimitForAppkeyAndApi``/``QpsLimitForApi``) are retried
  with exponential back-off; if they persist the error is transient, so the delivery job retries.
- A missing permission names the scope to request in the developer console.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

import aiohttp

from bot.outbound import DeliveryError
from bot.runtime.locks import held
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

QPS_LIMIT = 20
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=15)
TOKEN_MARGIN_SECONDS = 300
TOKEN_LOCK_SECONDS = 10.0  # the refresh lock expires after this, should its holder die mid-fetch
TOKEN_WAIT_SECONDS = 5.0  # how long a process waits for another's fetch before fetching itself
THROTTLE_CODES = frozenset({"90018", "90002"})
THROTTLE_NAMES = ("QpsLimitForAppkeyAndApi", "QpsLimitForApi", "Throttling")
QUOTA_CODES = frozenset({"90020"})
TOKEN_CODES = frozenset({"40001", "40014", "42001", "InvalidAuthentication"})
PERMISSION_CODES = frozenset({"60011", "60020", "60121"})


class DingTalkError(DeliveryError):
    """A DingTalk API call failed; ``code`` is DingTalk's code (or HTTP status)."""

    def __init__(
        self,
        message: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        code: str = "",
        rate_limited: bool = False,
    ) -> None:
        super().__init__(message, transient=transient, retry_after=retry_after, rate_limited=rate_limited)
        self.code = code


class DingTalkClient:
    """Calls ``api.dingtalk.com`` (new APIs) and ``oapi.dingtalk.com`` (legacy ``topapi``)."""

    def __init__(
        self,
        resources: Resources,
        *,
        max_attempts: int = 4,
        backoff_base: float = 0.5,
    ) -> None:
        settings = resources.settings
        if not settings.dingtalk_client_id or not settings.dingtalk_client_secret:
            raise DingTalkError(
                "没有配置钉钉应用：请设置 TIJI_DINGTALK_CLIENT_ID 和 TIJI_DINGTALK_CLIENT_SECRET",
                transient=False,
            )
        self.resources = resources
        self.client_id = settings.dingtalk_client_id
        self.client_secret = settings.dingtalk_client_secret
        self.api_base = settings.dingtalk_api_base.rstrip("/")
        self.oapi_base = settings.dingtalk_oapi_base.rstrip("/")
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base

    # -- token -------------------------------------------------------------------------------

    @property
    def _token_key(self) -> str:
        return f"tiji:dingtalk:token:{self.client_id}"

    async def access_token(self) -> str:
        """The app's access token, from Redis or fetched once for all processes (single flight)."""
        redis = self.resources.redis
        cached: str | None = await redis.get(self._token_key)
        if cached:
            return cached
        # One process fetches while the others wait for its lock and then find the token cached.
        async with held(
            redis, f"dingtalk:token:{self.client_id}", ttl=TOKEN_LOCK_SECONDS, wait=TOKEN_WAIT_SECONDS
        ):
            cached = await redis.get(self._token_key)
            if cached:
                return cached
            # Taken, or the holder is stuck past the wait: fetch anyway, DingTalk hands out the
            # same token while it is valid, so a second fetch is harmless.
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        url = f"{self.api_base}/v1.0/oauth2/accessToken"
        body = {"appKey": self.client_id, "appSecret": self.client_secret}
        try:
            async with self.resources.http.post(url, json=body, timeout=REQUEST_TIMEOUT) as resp:
                status, data = resp.status, await _json(resp)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DingTalkError(f"获取钉钉 access token 失败（网络）：{exc}", transient=True) from exc
        token = data.get("accessToken")
        if status != HTTPStatus.OK or not isinstance(token, str):
            code = str(data.get("code") or status)
            transient = status >= HTTPStatus.INTERNAL_SERVER_ERROR or status == HTTPStatus.TOO_MANY_REQUESTS
            raise DingTalkError(
                f"获取钉钉 access token 失败（{code} {data.get('message', '')}）："
                "请检查 TIJI_DINGTALK_CLIENT_ID / TIJI_DINGTALK_CLIENT_SECRET",
                transient=transient,
                code=code,
            )
        expire_in = int(data.get("expireIn") or 7200)
        await self.resources.redis.set(self._token_key, token, ex=max(60, expire_in - TOKEN_MARGIN_SECONDS))
        return token

    async def invalidate_token(self, token: str) -> None:
        """Forget ``token`` (only if it is still the cached one: another process may have renewed)."""
        cached = await self.resources.redis.get(self._token_key)
        if cached == token:
            await self.resources.redis.delete(self._token_key)

    # -- rate limit ----------------------------------------------------------------------------

    async def _take_slot(self, api: str) -> None:
        """Wait for a slot of the per-app, per-API 20 QPS budget (shared through Redis)."""
        redis = self.resources.redis
        while True:
            # Real seconds, as DingTalk counts them (a simulated clock's offset has no say here).
            now = time.time()
            second = int(now)
            key = f"tiji:dingtalk:qps:{self.client_id}:{api}:{second}"
            count = await redis.incr(key)
            if count == 1:
                await redis.expire(key, 2)
            if count <= QPS_LIMIT:
                return
            await asyncio.sleep(max(0.01, second + 1 - now))

    # -- calls -------------------------------------------------------------------------------

    async def api(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, *, scope: str
    ) -> dict[str, Any]:
        """Call a new-style API (``x-acs-dingtalk-access-token``); ``scope`` names its permission."""
        return await self._call(method, f"{self.api_base}{path}", path, body, scope=scope, legacy=False)

    async def oapi(
        self,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        scope: str,
        params: Mapping[str, str] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
    ) -> dict[str, Any]:
        """POST to a legacy API (``?access_token=``, ``errcode`` in the body).

        ``form`` builds a multipart body (a fresh one per attempt: aiohttp consumes it)."""
        return await self._call(
            "POST", f"{self.oapi_base}{path}", path, body, scope=scope, legacy=True, params=params, form=form
        )

    async def _call(
        self,
        method: str,
        url: str,
        path: str,
        body: Mapping[str, Any] | None,
        *,
        scope: str,
        legacy: bool,
        params: Mapping[str, str] | None = None,
        form: Callable[[], aiohttp.FormData] | None = None,
    ) -> dict[str, Any]:
        refreshed = False
        last: DingTalkError | None = None
        for attempt in range(self.max_attempts):
            await self._take_slot(path)
            token = await self.access_token()
            headers: dict[str, str] = {}
            query = dict(params or {})
            if legacy:
                query["access_token"] = token
            else:
                headers["x-acs-dingtalk-access-token"] = token
            try:
                async with self.resources.http.request(
                    method,
                    url,
                    json=None if form is not None else body,
                    data=form() if form is not None else None,
                    params=query,
                    headers=headers,
                    timeout=REQUEST_TIMEOUT,
                ) as resp:
                    status, payload = resp.status, await _json(resp)
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise DingTalkError(f"钉钉接口 {path} 网络错误：{exc}", transient=True) from exc
            code = _code(status, payload, legacy)
            if code == "":
                return payload
            if (status == HTTPStatus.UNAUTHORIZED or code in TOKEN_CODES) and not refreshed:
                refreshed = True
                await self.invalidate_token(token)
                continue
            if _throttled(status, code):
                delay = self.backoff_base * 2**attempt
                if "QpsLimitForApi" in code or code == "90002":
                    delay = max(delay, 1.0)  # platform-wide limit: DingTalk asks for a 1 s pause
                last = DingTalkError(
                    f"钉钉接口 {path} 被限流（{code}），稍后重试",
                    transient=True,
                    retry_after=delay * 2,
                    code=code,
                    rate_limited=True,
                )
                log.warning("dingtalk %s throttled (%s), attempt %d", path, code, attempt + 1)
                await asyncio.sleep(delay)
                continue
            raise _error(path, status, code, payload, scope)
        raise last or DingTalkError(
            f"钉钉接口 {path} 的 access token 无效，稍后重试", transient=True, code="401"
        )


async def _json(resp: aiohttp.ClientResponse) -> dict[str, Any]:
    text = await resp.text()
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {"message": text[:200]}
    return value if isinstance(value, dict) else {"result": value}


def _code(status: int, payload: Mapping[str, Any], legacy: bool) -> str:
    """'' for success, else DingTalk's error code (or the HTTP status)."""
    if legacy:
        errcode = payload.get("errcode", 0 if status == HTTPStatus.OK else status)
        return "" if str(errcode) == "0" and status == HTTPStatus.OK else str(errcode)
    if HTTPStatus.OK <= status < HTTPStatus.MULTIPLE_CHOICES:
        return ""
    return str(payload.get("code") or status)


def _throttled(status: int, code: str) -> bool:
    return (
        status == HTTPStatus.TOO_MANY_REQUESTS
        or code in THROTTLE_CODES
        or any(name in code for name in THROTTLE_NAMES)
    )


def _error(path: str, status: int, code: str, payload: Mapping[str, Any], scope: str) -> DingTalkError:
    message = str(payload.get("message") or payload.get("errmsg") or "")
    if code in QUOTA_CODES or "ApiCountLimit" in code:
        return DingTalkError(
            f"钉钉接口调用次数已达本月上限（{code}）：请升级钉钉版本或减少调用", transient=False, code=code
        )
    if (
        status == HTTPStatus.FORBIDDEN
        or code in PERMISSION_CODES
        or "PermissionDenied" in code
        or "Forbidden" in code
    ):
        detail = payload.get("accessdenieddetail")
        scopes = detail.get("requiredScopes") if isinstance(detail, dict) else None
        needed = "、".join(str(s) for s in scopes) if isinstance(scopes, list) and scopes else scope
        return DingTalkError(
            f"钉钉应用缺少权限 {needed}（{path}，{code}）：请在钉钉开发者后台「权限管理」申请该权限",
            transient=False,
            code=code,
        )
    transient = (
        status >= HTTPStatus.INTERNAL_SERVER_ERROR
        or status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.REQUEST_TIMEOUT)
        or code in TOKEN_CODES
    )
    return DingTalkError(f"钉钉接口 {path} 出错：{code} {message}".strip(), transient=transient, code=code)
