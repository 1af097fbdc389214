"""Sign-in to the phone pages inside WeCom: OAuth2 ``snsapi_base`` (wecom-api.md §5).

The page sends the browser to WeCom's authorize URL; WeCom comes back to ``redirect_uri`` with
``code`` (single use, 5 minutes) and our ``state``; ``GET /cgi-bin/auth/getuserinfo`` turns the
code into the member's ``userid`` (a non-member gets only an ``openid``: no userid, no sign-in).
"""

from __future__ import annotations

from urllib.parse import urlencode

from bot.messengers.wecom.client import WeComClient
from bot.runtime.resources import Resources
from bot.settings import Settings

AUTHORIZE_PATH = "/connect/oauth2/authorize"
USERINFO_PATH = "/cgi-bin/auth/getuserinfo"


def authorize_url(settings: Settings, *, redirect_uri: str, state: str) -> str:
    """WeCom's authorize page for this app; it returns to ``redirect_uri?code=…&state=…``."""
    query = urlencode(
        {
            "appid": settings.wecom_corp_id or "",
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": "snsapi_base",
            "state": state,
            "agentid": str(settings.wecom_agent_id or ""),
        }
    )
    return f"{settings.wecom_oauth_base.rstrip('/')}{AUTHORIZE_PATH}?{query}#wechat_redirect"


async def userid_for_code(resources: Resources, code: str) -> str | None:
    """The member's WeCom userid for a sign-in ``code``; None for someone outside the corp.
    A used or expired code raises ``WeComApiError`` (40029)."""
    settings = resources.settings
    client = WeComClient(
        http=resources.http,
        redis=resources.redis,
        base_url=settings.wecom_api_base,
        corp_id=settings.wecom_corp_id or "",
        secret=settings.wecom_secret or "",
    )
    data = await client.get(USERINFO_PATH, {"code": code})
    userid = data.get("userid") or data.get("UserId")
    return str(userid) if userid else None
