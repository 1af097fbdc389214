"""The embedded Redis is never left running, even when it fails to become ready."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime import redis_server
from bot.runtime.redis_server import EmbeddedRedis, redis_url

pytestmark = pytest.mark.timeout(60)


async def test_a_server_that_never_becomes_ready_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[EmbeddedRedis] = []
    real_start = EmbeddedRedis.start

    async def start(self: EmbeddedRedis) -> str:
        started.append(self)
        return await real_start(self)

    async def never_ready(self: object) -> bool:
        raise ConnectionError("not ready")

    monkeypatch.setattr(EmbeddedRedis, "start", start)
    monkeypatch.setattr(redis_server.Redis, "ping", never_ready)
    with pytest.raises(RuntimeError, match="没有就绪"):
        async with redis_url(None, tmp_path / "var"):
            pass  # pragma: no cover - never reached
    [server] = started
    assert server.process is None  # stopped and waited for: no orphan redis-server
