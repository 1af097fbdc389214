"""Group messages through a custom-robot webhook (signed), at most 20 a minute per robot.

DingTalk throttles a robot that sends more than 20 messages a minute for 10 minutes, so the budget
is counted in Redis (all processes) and an excess message is handed back as a transient error with
the wait until the next minute; the delivery job retries it then.
"""

from __future__ import annotations

import hashlib
import json
import logging
from http import HTTPStatus
from typing import Any

import aiohttp

from bot.messengers.dingtalk.signing import signed_webhook_url
from bot.outbound import DeliveryError
from bot.runtime.resources import Resources

log = logging.getLogger(__name__)

PER_MINUTE = 20
THROTTLED_CODES = frozenset({"90030", "130101", "410100"})
SIGNATURE_CODES = frozenset({"310000", "300001", "300005"})
TIMEOUT = aiohttp.ClientTimeout(total=15)


def webhook_url(raw: str, oapi_base: str) -> str:
    """A full webhook URL from what the org file holds (the URL, or just its access_token)."""
    raw = raw.strip()
    if raw.startswith(("http://", "https://")):
        return raw
    return f"{oapi_base.rstrip('/')}/robot/send?access_token={raw}"


async def _take_slot(resources: Resources, url: str) -> None:
    now = resources.clock.now().timestamp()
    minute = int(now // 60)
    robot = hashlib.sha256(url.encode()).hexdigest()[:16]
    key = f"tiji:dingtalk:webhook:{robot}:{minute}"
    count = await resources.redis.incr(key)
    if count == 1:
        await resources.redis.expire(key, 120)
    if count > PER_MINUTE:
        wait = (minute + 1) * 60 - now
        raise DeliveryError(
            f"钉钉群机器人每分钟最多 {PER_MINUTE} 条消息，{wait:.0f} 秒后重发",
            transient=True,
            retry_after=wait,
        )


async def send_markdown(
    resources: Resources, raw_url: str, secret: str | None, title: str, text: str
) -> None:
    """Post a markdown message to a group through its custom robot."""
    url = webhook_url(raw_url, resources.settings.dingtalk_oapi_base)
    await _take_slot(resources, url)
    body: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    target = signed_webhook_url(url, secret, resources.clock.now())
    try:
        async with resources.http.post(target, json=body, timeout=TIMEOUT) as resp:
            status = resp.status
            raw = await resp.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DeliveryError(f"钉钉群机器人 webhook 网络错误：{exc}", transient=True) from exc
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    code = str(data.get("errcode", 0 if status == HTTPStatus.OK else status))
    if status == HTTPStatus.OK and code == "0":
        return
    message = str(data.get("errmsg", ""))
    if code in THROTTLED_CODES or status == HTTPStatus.TOO_MANY_REQUESTS:
        raise DeliveryError(f"钉钉群机器人被限流（{code}），10 分钟后重发", transient=True, retry_after=600)
    if code in SIGNATURE_CODES:
        raise DeliveryError(
            f"钉钉群机器人拒绝了消息（{code} {message}）：请检查该群的 dingtalk_webhook_secret 与机器人安全设置",
            transient=False,
        )
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise DeliveryError(f"钉钉群机器人 webhook 暂时不可用（HTTP {status}）", transient=True)
    raise DeliveryError(
        f"钉钉群机器人 webhook 出错（{code} {message}）：请检查该群的 dingtalk_webhook 设置", transient=False
    )
