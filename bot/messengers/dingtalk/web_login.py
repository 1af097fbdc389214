"""Sign-in to the console from a desktop browser: DingTalk's web login (OAuth2, 扫码登录).

The console sends the browser to ``login.dingtalk.com/oauth2/auth``; DingTalk comes back to
``redirect_uri`` with ``authCode`` (also as ``code``) and our ``state``. Then:

1. ``POST /v1.0/oauth2/userAccessToken`` ``{clientId, clientSecret, code, grantType}`` → the
   user's ``accessToken`` (and, with scope ``openid corpid``, the ``corpId`` they chose);
2. ``GET /v1.0/contact/users/me`` with that token → their ``unionId``;
3. ``POST /topapi/user/getbyunionid`` (the app's token) → their ``userid`` in our organisation
   (``contact_type`` 1 is an external contact: nobody of ours).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import aiohttp

from bot.messengers.dingtalk.client import REQUEST_TIMEOUT, DingTalkClient, DingTalkError
from bot.runtime.resources import Resources
from bot.settings import Settings

AUTH_PATH = "/oauth2/auth"
USER_TOKEN_PATH = "/v1.0/oauth2/userAccessToken"  # noqa: S105 -- an API path, not a secret
ME_PATH = "/v1.0/contact/users/me"
BY_UNIONID_PATH = "/topapi/user/getbyunionid"
NOT_A_MEMBER = "60121"  # 找不到该用户: the unionId is nobody of this organisation
SCOPE = "通讯录个人信息读权限（Contact.User.Read）"


def login_url(settings: Settings, *, redirect_uri: str, state: str) -> str:
    """DingTalk's web login page for this app; it returns to ``redirect_uri?authCode=…&state=…``."""
    query = urlencode(
        {
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "client_id": settings.dingtalk_client_id or "",
            "scope": "openid corpid",
            "state": state,
            "prompt": "consent",
        }
    )
    return f"{settings.dingtalk_login_base.rstrip('/')}{AUTH_PATH}?{query}"


async def _request(
    resources: Resources, method: str, path: str, *, body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:  # fmt: skip
    url = f"{resources.settings.dingtalk_api_base.rstrip('/')}{path}"
    try:
        async with resources.http.request(
            method, url, json=body, headers=headers, timeout=REQUEST_TIMEOUT
        ) as resp:
            status = resp.status
            data = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise DingTalkError(f"钉钉登录接口 {path} 出错：{exc}", transient=True) from exc
    if status != HTTPStatus.OK or not isinstance(data, dict):
        code = str(data.get("code") if isinstance(data, dict) else status)
        raise DingTalkError(f"钉钉登录接口 {path} 拒绝了请求（{code}）", transient=False, code=code)
    return data


async def userid_for_code(resources: Resources, code: str) -> str | None:
    """The member's DingTalk userid for a web-login ``code``; None for someone who is not a member
    of the configured organisation. A used or expired code raises ``DingTalkError``."""
    settings = resources.settings
    body = {
        "clientId": settings.dingtalk_client_id or "",
        "clientSecret": settings.dingtalk_client_secret or "",
        "code": code,
        "grantType": "authorization_code",
    }
    token = await _request(resources, "POST", USER_TOKEN_PATH, body=body)
    corp_id = token.get("corpId")
    if settings.dingtalk_corp_id and corp_id and corp_id != settings.dingtalk_corp_id:
        return None
    me = await _request(
        resources, "GET", ME_PATH, headers={"x-acs-dingtalk-access-token": str(token.get("accessToken", ""))}
    )
    union_id = me.get("unionId")
    if not union_id:
        return None
    try:
        found = await DingTalkClient(resources).oapi(BY_UNIONID_PATH, {"unionid": str(union_id)}, scope=SCOPE)
    except DingTalkError as exc:
        if exc.code == NOT_A_MEMBER:
            return None
        raise
    result = found.get("result")
    if not isinstance(result, dict) or result.get("contact_type") == 1:
        return None
    userid = result.get("userid")
    return str(userid) if userid else None
