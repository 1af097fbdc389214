"""`tiji doctor` prints the readiness checks in Chinese with what to fix, and exits 1 on any failure:
a stopped worker, a lost Redis, a lost database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.health.heartbeat import beat
from bot.runtime.redis_clients import app_redis


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, redis_server_url: str) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("TIJI_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TIJI_DATABASE_URL", f"sqlite://{tmp_path / 'tiji.sqlite3'}")
    monkeypatch.setenv("TIJI_REDIS_URL", redis_server_url)
    assert main(["migrate"]) == 0


def a_worker_beats(redis_url: str) -> None:
    async def run() -> None:
        redis = app_redis(redis_url)
        try:
            await redis.flushdb()
            await beat(redis, "server-1:4242", 60)
        finally:
            await redis.aclose()

    asyncio.run(run())


def no_worker(redis_url: str) -> None:
    async def run() -> None:
        redis = app_redis(redis_url)
        try:
            await redis.flushdb()
        finally:
            await redis.aclose()

    asyncio.run(run())


def test_doctor_says_all_is_well_when_every_check_passes(
    environment: None, redis_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a_worker_beats(redis_server_url)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "✔ 数据库：可以连接" in out
    assert "✔ Redis：可以连接" in out
    assert "✔ 后台任务进程（tiji worker）：1 个在运行（server-1:4242）" in out
    assert "待发送消息：0 条" in out
    assert "一切正常。" in out


def test_doctor_reports_a_stopped_worker_with_how_to_start_it(
    environment: None, redis_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    no_worker(redis_server_url)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✘ 后台任务进程（tiji worker）：最近 60 秒没有任何后台任务进程的心跳" in out
    assert "怎么办：启动后台任务进程：systemctl start tiji-worker@1" in out
    assert "有 1 项需要处理" in out


def test_doctor_reports_a_lost_redis(
    environment: None,
    lost_redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TIJI_REDIS_URL", lost_redis_url)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✘ Redis：连不上 Redis" in out
    assert "怎么办：检查 Redis 服务是否在运行" in out
    assert "✔ 数据库：可以连接" in out


def test_doctor_reports_a_lost_database(
    environment: None,
    redis_server_url: str,
    lost_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a_worker_beats(redis_server_url)
    monkeypatch.setenv("TIJI_DATABASE_URL", lost_database_url)
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "✘ 数据库：连不上数据库" in out
    assert "怎么办：检查数据库服务是否在运行" in out
    assert "✔ Redis：可以连接" in out
    assert "secret" not in out  # the database password is never printed
