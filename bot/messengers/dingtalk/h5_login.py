"""Sign-in to the phone pages inside DingTalk: H5 free login (dingtalk-api.md §6).

The page calls ``dd.requestAuthCode({corpId, clientId})`` (the vendored dingtalk-jsapi) and
posts the code; ``POST /topapi/v2/user/getuserinfo`` turns it into the member's ``userid``.
The code is single use and expires in about 5 minutes.
"""

from __future__ import annotations

from bot.messengers.dingtalk.client import DingTalkClient
from bot.runtime.resources import Resources

USERINFO_PATH = "/topapi/v2/user/getuserinfo"
SCOPE = "免登（通讯录个人信息读权限）"


async def userid_for_code(resources: Resources, code: str) -> str | None:
    """The member's DingTalk userid for a free-login ``code``; None if DingTalk names nobody.
    A used or expired code raises ``DingTalkError``."""
    data = await DingTalkClient(resources).oapi(USERINFO_PATH, {"code": code}, scope=SCOPE)
    result = data.get("result")
    userid = result.get("userid") if isinstance(result, dict) else None
    return str(userid) if userid else None
