"""Sign-in to the console from a desktop browser: WeCom's web login (扫码登录, ``login_type=CorpApp``).

The console sends the browser to WeCom's login page; after the member scans the QR code (or
confirms in the desktop client) WeCom comes back to ``redirect_uri`` with ``code`` and our
``state``. The code is exchanged as the phone OAuth's is (``GET /cgi-bin/auth/getuserinfo``,
``bot.messengers.wecom.oauth.userid_for_code``); ``redirect_uri``'s domain must be the app's
可信域名 / 授权登录回调域.
"""

from __future__ import annotations

from urllib.parse import urlencode

from bot.messengers.wecom.oauth import userid_for_code
from bot.settings import Settings

LOGIN_PATH = "/wwlogin/sso/login"

__all__ = ["login_url", "userid_for_code"]


def login_url(settings: Settings, *, redirect_uri: str, state: str) -> str:
    """WeCom's web login page for this app; it returns to ``redirect_uri?code=…&state=…``."""
    query = urlencode(
        {
            "login_type": "CorpApp",
            "appid": settings.wecom_corp_id or "",
            "agentid": str(settings.wecom_agent_id or ""),
            "redirect_uri": redirect_uri,
            "state": state,
        }
    )
    return f"{settings.wecom_login_base.rstrip('/')}{LOGIN_PATH}?{query}"
