"""The Stream connection's health: a status record in Redis and the office alert on long outages."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from tortoise.transactions import in_transaction

from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.enums import GroupKind, Platform
from models.org import GroupChannel, Organisation, Person

log = logging.getLogger(__name__)

STATUS_TTL_SECONDS = 120


def status_key(client_id: str) -> str:
    return f"tiji:dingtalk:stream:{client_id}"


async def write_status(resources: Resources, *, connected: bool, since: dt.datetime) -> None:
    """Record whether this app's Stream connection is up (read by ``stream_status``)."""
    client_id = resources.settings.dingtalk_client_id or ""
    record = {"connected": connected, "since": since.astimezone(dt.UTC).isoformat()}
    await resources.redis.set(status_key(client_id), json.dumps(record), ex=STATUS_TTL_SECONDS)


async def stream_status(resources: Resources) -> dict[str, Any]:
    """``{"running": bool, "connected": bool, "since": iso | None}`` for /healthz and the console.

    ``running`` is False when no stream process has reported for two minutes."""
    raw = await resources.redis.get(status_key(resources.settings.dingtalk_client_id or ""))
    if raw is None:
        return {"running": False, "connected": False, "since": None}
    record = json.loads(raw)
    return {"running": True, "connected": bool(record.get("connected")), "since": record.get("since")}


async def _uses_dingtalk(organisation: Organisation) -> bool:
    if organisation.default_platform is Platform.DINGTALK:
        return True
    return await Person.filter(organisation=organisation, platform=Platform.DINGTALK, active=True).exists()


async def alert_office(resources: Resources, since: dt.datetime) -> int:
    """Tell the office group of every organisation using DingTalk that it is unreachable since ``since``.

    Returns the number of messages written; the dedupe key makes one alert per outage."""
    local = since.astimezone(resources.settings.tz)
    minutes = int((resources.clock.now() - since).total_seconds() // 60)
    text = (
        "### 钉钉连接中断\n"
        f"提级机器人自 {local:%Y-%m-%d %H:%M} 起与钉钉 Stream 断开已超过 {minutes} 分钟，"
        "钉钉上的消息和卡片点击暂时收不到。请检查服务器网络（api.dingtalk.com、wss-open-connection.dingtalk.com）"
        "和 `tiji dingtalk-stream` 进程。"
    )
    episode = since.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")
    batches: list[OutboxBatch] = []
    async with in_transaction():
        for organisation in await Organisation.all():
            if not await _uses_dingtalk(organisation):
                continue  # a WeCom-only bureau is not bothered with DingTalk's outages
            groups = await GroupChannel.filter(organisation=organisation, kind=GroupKind.OFFICE)
            if not groups:
                continue
            batch = OutboxBatch(resources.settings, organisation, resources.clock.now())
            for group in groups:
                await batch.group(group, text, dedupe_key=f"dingtalk:stream-down:{episode}:{group.id}")
            batches.append(batch)
    for batch in batches:
        await batch.nudge(resources)
    return sum(len(batch.ids) for batch in batches)
