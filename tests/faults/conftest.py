"""Fixtures of the fault tests: real `tiji serve` / `tiji worker` processes on a private PostgreSQL
database, a redis-server of the test's own and the fake WeCom API on a real port.

These tests run with `make faults` (their own CI step), not in `make pytest`. The session migrates
and imports the example org once into a template database; each test gets a copy of it, a fresh
Redis and a fresh fake, and every process it started is stopped afterwards (SIGTERM, then SIGKILL).
Logs are in the test's ``tmp_path``; a failing test prints their tails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from tests.conftest import skip_or_fail
from tests.support.big_org import BigOrg
from tests.support.databases import create_database, database_name, drop_database, prepare_database
from tests.support.processes import (
    EXAMPLE_ORG,
    FakeWeComServer,
    RedisServer,
    Service,
    TijiServe,
    TijiWorker,
    serve,
    tiji_env,
    until,
    worker,
)
from tests.support.wecom_traffic import WeComTraffic

BIG = BigOrg()


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("TIJI_TEST_POSTGRES_URL")
    if not url:
        skip_or_fail("the fault tests need TIJI_TEST_POSTGRES_URL (the machine's PostgreSQL)")
    return str(url)


def _template(admin_url: str, org_yaml: str | None) -> Iterator[str]:
    """A migrated database with an org imported, copied by each test (``CREATE DATABASE … TEMPLATE``)."""
    workdir = Path(tempfile.mkdtemp(prefix="tiji-faults-template-"))
    org = EXAMPLE_ORG
    if org_yaml is not None:
        org = workdir / "org.yaml"
        org.write_text(org_yaml, encoding="utf-8")

    async def make() -> str:
        url = await create_database(admin_url, prefix="tiji_faults_template")
        try:
            await prepare_database(url, workdir, org)
        except BaseException:
            await drop_database(admin_url, url)
            raise
        return url

    url = asyncio.run(make())
    try:
        yield database_name(url)
    finally:
        asyncio.run(drop_database(admin_url, url))


@pytest.fixture(scope="session")
def template_database(admin_url: str) -> Iterator[str]:
    """The example org (桐柏县交通运输局)."""
    yield from _template(admin_url, None)


@pytest.fixture(scope="session")
def big_template_database(admin_url: str) -> Iterator[str]:
    """Only the generated org of ``BIG`` (510 people, 40 sections), for the scale-out tests."""
    yield from _template(admin_url, BIG.to_yaml())


@pytest.fixture
async def database(admin_url: str, template_database: str) -> AsyncIterator[str]:
    """This test's own copy of the example org's database."""
    url = await create_database(admin_url, template=template_database)
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture
async def big_database(admin_url: str, big_template_database: str) -> AsyncIterator[str]:
    url = await create_database(admin_url, template=big_template_database)
    try:
        yield url
    finally:
        await drop_database(admin_url, url)


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    """A redis-server of this test's own; ``stop()``/``kill()`` and ``start()`` keep its URL."""
    server = RedisServer.in_dir(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop(grace=5)


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeComServer]:
    async with FakeWeComServer() as server:
        yield server


@dataclass
class Cluster:
    """The processes of one test, all on the same database, Redis and fake WeCom."""

    workdir: Path
    database_url: str
    redis: RedisServer
    wecom: FakeWeComServer
    simulator: bool = False  # True: every message goes to the simulator, none to the fake WeCom
    services: list[Service] = field(default_factory=list)

    def env(self, name: str) -> dict[str, str]:
        return tiji_env(self.workdir / name, database_url=self.database_url, redis_url=self.redis.url,
                        wecom=self.wecom, simulator=self.simulator)  # fmt: skip

    async def web(self, name: str = "web") -> TijiServe:
        process = serve(self.workdir, self.env(name), name=name)
        self.services.append(process)
        await process.start()
        return process

    async def worker(self, name: str = "worker") -> TijiWorker:
        process = worker(self.workdir, self.env(name), name=name)
        self.services.append(process)
        await process.start()
        return process

    @property
    def traffic(self) -> WeComTraffic:
        return WeComTraffic(self.wecom.api, self.wecom.signer)

    async def sql(self, query: str, *args: object) -> list[asyncpg.Record]:
        """Read the processes' database directly (what a DBA would check)."""
        conn = await asyncpg.connect(self.database_url)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()

    async def settled(self, within: float = 60) -> None:
        """Until every received callback is applied and every outbox row is sent or failed: nothing
        is left for the workers to do (a callback is answered once stored, and applied after)."""

        async def done() -> bool:
            rows = await self.sql(
                "SELECT (SELECT count(*) FROM inbound_event WHERE state = 'pending')"
                " + (SELECT count(*) FROM outbox WHERE status = 'pending') AS n"
            )
            return int(rows[0]["n"]) == 0

        await until(done, within=within, what="every outbox row delivered", every=0.2)

    def logs(self) -> str:
        return "\n".join(f"==== {s.name} ({s.log_path})\n{s.log()[-4000:]}" for s in self.services)

    async def stop(self) -> None:
        await asyncio.gather(*(s.stop() for s in self.services))


@contextlib.asynccontextmanager
async def _cluster(processes: Cluster, request: pytest.FixtureRequest) -> AsyncIterator[Cluster]:
    try:
        yield processes
    finally:
        await processes.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(processes.logs())


@pytest.fixture
async def cluster(
    tmp_path: Path,
    database: str,
    redis_server: RedisServer,
    wecom: FakeWeComServer,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Cluster]:
    """Start processes with ``await cluster.web()`` / ``await cluster.worker()``; all stop at the end."""
    async with _cluster(Cluster(tmp_path, database, redis_server, wecom), request) as processes:
        yield processes


@pytest.fixture
async def big_cluster(
    tmp_path: Path,
    big_database: str,
    redis_server: RedisServer,
    wecom: FakeWeComServer,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Cluster]:
    """As ``cluster``, on the generated org ``BIG``."""
    async with _cluster(Cluster(tmp_path, big_database, redis_server, wecom), request) as processes:
        yield processes


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item, so the cluster fixture can print logs on failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
