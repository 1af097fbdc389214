"""The readiness checks, one list for ``/readyz`` and `tiji doctor`: the database and Redis answer,
a worker beat recently, and the DingTalk Stream connection is up where Stream mode is configured.

Each check says in Chinese what it saw and, when it failed, what to fix. A check never raises and
never waits longer than ``CHECK_TIMEOUT``: a lost database or Redis is a failed check, not a hang.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from enum import StrEnum

from tortoise import Tortoise

from bot.health.heartbeat import workers_alive
from bot.messengers.dingtalk.health import stream_status
from bot.runtime.resources import Resources

CHECK_TIMEOUT = 3.0  # seconds; the Redis client's own retries would otherwise wait longer


class CheckName(StrEnum):
    DATABASE = "database"
    REDIS = "redis"
    WORKER = "worker"
    DINGTALK_STREAM = "dingtalk_stream"


TITLES = {
    CheckName.DATABASE: "数据库",
    CheckName.REDIS: "Redis",
    CheckName.WORKER: "后台任务进程（tiji worker）",
    CheckName.DINGTALK_STREAM: "钉钉 Stream 连接（tiji dingtalk-stream）",
}


@dataclass(frozen=True)
class Check:
    name: CheckName
    ok: bool
    detail: str
    fix: str = ""

    @property
    def title(self) -> str:
        return TITLES[self.name]

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "name": self.name.value, "title": self.title}


def _error(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"{CHECK_TIMEOUT:.0f} 秒内没有应答"
    return f"{type(error).__name__}: {error}"[:300]


async def check_database() -> Check:
    try:
        connection = Tortoise.get_connection("default")
        await asyncio.wait_for(connection.execute_query("SELECT 1"), CHECK_TIMEOUT)
    except Exception as error:
        return Check(
            CheckName.DATABASE,
            False,
            f"连不上数据库（{_error(error)}）",
            "检查数据库服务是否在运行（systemctl status postgresql / docker compose ps postgres），"
            "以及 TIJI_DATABASE_URL 的地址、用户名和密码",
        )
    return Check(CheckName.DATABASE, True, "可以连接")


async def check_redis(resources: Resources) -> Check:
    try:
        await asyncio.wait_for(resources.redis.ping(), CHECK_TIMEOUT)
    except Exception as error:
        return Check(
            CheckName.REDIS,
            False,
            f"连不上 Redis（{_error(error)}）",
            "检查 Redis 服务是否在运行（systemctl status redis-server / docker compose ps redis），"
            "以及 TIJI_REDIS_URL 的地址和密码",
        )
    return Check(CheckName.REDIS, True, "可以连接")


async def check_worker(resources: Resources, redis_ok: bool) -> Check:
    stale = resources.settings.heartbeat_stale_seconds
    fix = (
        "启动后台任务进程：systemctl start tiji-worker@1（或 docker compose up -d worker）；"
        "它负责发送消息、催办和季度汇总，停着时消息只会排队"
    )
    if not redis_ok:
        return Check(CheckName.WORKER, False, "无法判断：Redis 不可用（后台任务进程也因此停摆）", fix)
    try:
        beats = await asyncio.wait_for(workers_alive(resources.redis, stale), CHECK_TIMEOUT)
    except Exception as error:
        return Check(CheckName.WORKER, False, f"读不到心跳（{_error(error)}）", fix)
    if not beats:
        return Check(CheckName.WORKER, False, f"最近 {stale:.0f} 秒没有任何后台任务进程的心跳", fix)
    return Check(CheckName.WORKER, True, f"{len(beats)} 个在运行（{', '.join(b.worker for b in beats)}）")


async def check_stream(resources: Resources, redis_ok: bool) -> Check:
    fix = (
        "启动钉钉 Stream 进程：systemctl start tiji-dingtalk-stream（或 docker compose up -d dingtalk-stream）；"
        "它已在运行时，检查服务器能否访问 api.dingtalk.com 和 wss-open-connection.dingtalk.com（443 端口）"
    )
    if not redis_ok:
        return Check(CheckName.DINGTALK_STREAM, False, "无法判断：Redis 不可用", fix)
    try:
        status = await asyncio.wait_for(stream_status(resources), CHECK_TIMEOUT)
    except Exception as error:
        return Check(CheckName.DINGTALK_STREAM, False, f"读不到连接状态（{_error(error)}）", fix)
    if not status["running"]:
        return Check(CheckName.DINGTALK_STREAM, False, "最近两分钟没有 Stream 进程报告状态", fix)
    if not status["connected"]:
        return Check(
            CheckName.DINGTALK_STREAM, False, f"进程在运行，但自 {status['since']} 起与钉钉断开", fix
        )
    return Check(CheckName.DINGTALK_STREAM, True, f"已连接（自 {status['since']}）")


def uses_stream(resources: Resources) -> bool:
    settings = resources.settings
    return settings.dingtalk_enabled and settings.dingtalk_mode == "stream"


async def readiness(resources: Resources) -> list[Check]:
    """Every check, in the order an admin fixes them (database and Redis first)."""
    database, redis = await asyncio.gather(check_database(), check_redis(resources))
    checks = [database, redis, await check_worker(resources, redis.ok)]
    if uses_stream(resources):
        checks.append(await check_stream(resources, redis.ok))
    return checks
