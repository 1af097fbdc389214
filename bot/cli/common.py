"""What every `tiji` command shares: settings from the environment, the clock, logging, signals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from bot.clock import Clock, SimClock, SystemClock
from bot.logs import LogFormat, setup_logging
from bot.settings import Settings
from models.org import Organisation

log = logging.getLogger("tiji")


def settings_from_env(**overrides: object) -> Settings:
    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"TIJI_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise SystemExit(f"配置有误：{problems}") from None
    return settings.model_copy(update=overrides) if overrides else settings


def make_clock(settings: Settings) -> Clock:
    # The simulator's clock can be set and advanced; production always runs on the system clock.
    return SimClock() if settings.simulator else SystemClock()


def logging_setup(settings: Settings, default_format: LogFormat = "json") -> None:
    """JSON lines for the servers; `tiji dev` asks for readable text (``TIJI_LOG_FORMAT`` wins)."""
    setup_logging(settings, default_format=default_format)


async def until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``main(stop)`` and set ``stop`` on SIGINT/SIGTERM (Ctrl-C shuts down cleanly)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await main(stop)


def describe_db(settings: Settings) -> str:
    if settings.database_url:
        return settings.database_url.split("@")[-1]
    return f"SQLite {settings.data_dir / 'tiji.sqlite3'}（内置）"


async def default_org_code(code: str | None) -> str:
    if code:
        return code
    codes = await Organisation.all().order_by("id").values_list("code", flat=True)
    if not codes:
        raise SystemExit("还没有导入组织架构：先运行 tiji org import examples/org.yaml")
    if len(codes) > 1:
        raise SystemExit(f"有多个单位（{', '.join(str(c) for c in codes)}），请用 --org 指定")
    return str(codes[0])
