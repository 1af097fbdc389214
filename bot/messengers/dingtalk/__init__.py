"""DingTalk (钉钉) adapter: Stream mode or HTTP callbacks in, OpenAPI out.

The core uses only what is exported here (see notes/CORE_CONTRACT.md): ``build_messenger``,
``setup_routes``, ``check_config``, ``sync_contacts`` and ``run_stream``.
"""

from __future__ import annotations

from aiohttp import web

from bot.messengers.dingtalk.config_check import check_config
from bot.messengers.dingtalk.contacts import SyncReport, sync_contacts
from bot.messengers.dingtalk.health import stream_status
from bot.messengers.dingtalk.http_callbacks import add_routes
from bot.messengers.dingtalk.messenger import DingTalkMessenger
from bot.messengers.dingtalk.stream import run_stream
from bot.runtime.resources import SETTINGS, Resources
from bot.settings import Settings

__all__ = [
    "DingTalkMessenger",
    "SyncReport",
    "build_messenger",
    "check_config",
    "run_stream",
    "setup_routes",
    "stream_status",
    "sync_contacts",
]


def build_messenger(resources: Resources) -> DingTalkMessenger:
    return DingTalkMessenger(resources)


def setup_routes(app: web.Application, settings: Settings | None = None) -> None:
    """HTTP-mode callback routes; in Stream mode there is nothing to route."""
    if settings is None:
        settings = app[SETTINGS]
    if settings.dingtalk_mode == "http":
        add_routes(app)
