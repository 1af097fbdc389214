"""What `make bench` runs on: a PostgreSQL database it may drop, its own redis-server, the fake
WeCom API on a real port, and `tiji serve`, `tiji worker` and the reference server as processes.

Safety: a database named by ``--database-url`` is used only if it has no tables yet and is never
dropped; by default the bench creates a private database on the machine's PostgreSQL and drops
that one (and only that one) at the end.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.support.big_org import BigOrg
from tests.support.databases import prepare_database, private_database
from tests.support.processes import (
    FakeWeComServer,
    RedisServer,
    TijiServe,
    TijiWorker,
    free_port,
    serve,
    tiji_env,
    worker,
)

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# 200 sections (so no head gets over WeCom's 30 messages a minute during the click runs), 630 people.
ORG = BigOrg(units=10, sections=20, staff=2)


class Refused(SystemExit):
    """The bench will not touch this database."""


async def table_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        n = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
        return int(n)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def bench_database(url: str | None, admin_url: str) -> AsyncIterator[str]:
    """An empty database given by the user (kept), or a private one (created and dropped here)."""
    if url:
        tables = await table_count(url)
        if tables:
            raise Refused(
                f"拒绝运行：{url.split('@')[-1]} 已有 {tables} 张表。基准测试只使用空数据库"
                "（不给 --database-url 时会自己创建并在结束后删除一个）。"
            )
        yield url
        return
    async with private_database(admin_url, prefix="tiji_bench") as private:
        yield private


@dataclass
class Processes:
    workdir: Path
    database_url: str
    redis: RedisServer
    wecom: FakeWeComServer
    web: TijiServe
    worker: TijiWorker
    reference: TijiServe

    def env(self) -> dict[str, str]:
        return tiji_env(self.workdir / "cli", database_url=self.database_url, redis_url=self.redis.url,
                        wecom=self.wecom)  # fmt: skip


@contextlib.asynccontextmanager
async def running(workdir: Path, database_url: str) -> AsyncIterator[Processes]:
    """Migrate and import the org, then start Redis, the fake WeCom, tiji serve + worker and the
    reference server; everything is stopped on the way out."""
    org = workdir / "org.yaml"
    org.write_text(ORG.to_yaml(), encoding="utf-8")
    print("准备数据库（tiji migrate, tiji org import）…", file=sys.stderr, flush=True)
    await prepare_database(database_url, workdir / "setup", org)
    redis = RedisServer.in_dir(workdir)
    async with redis, FakeWeComServer() as wecom:
        wecom.api.chats.add("bigOffice")  # the office group of ORG, where the summary is posted
        env = tiji_env(workdir / "web", database_url=database_url, redis_url=redis.url, wecom=wecom)
        web = serve(workdir, env)
        worker_env = tiji_env(workdir / "worker", database_url=database_url, redis_url=redis.url, wecom=wecom)
        work = worker(workdir, worker_env)
        port = free_port()
        reference = TijiServe(
            "reference",
            [sys.executable, "-m", "bench.reference", "--database-url", database_url, "--port", str(port)],
            env,
            workdir / "reference.log",
            port=port,
        )
        started: list[TijiServe | TijiWorker] = []
        try:
            for process in (web, work, reference):
                started.append(process)
                await process.start()
            yield Processes(workdir, database_url, redis, wecom, web, work, reference)
        finally:
            for process in reversed(started):
                await process.stop()
