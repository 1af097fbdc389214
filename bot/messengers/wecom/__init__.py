"""WeCom (企业微信) self-built app: callbacks in, template cards, texts and group posts out.

Exports the adapter contract: ``build_messenger``, ``setup_routes``, ``check_config``,
``sync_contacts`` (and ``SyncReport``).
"""

from __future__ import annotations

from aiohttp import web

from bot.messengers.wecom.client import WeComApiError, WeComClient
from bot.messengers.wecom.config_check import check_config
from bot.messengers.wecom.contacts import SyncReport, sync_contacts
from bot.messengers.wecom.messenger import WeComMessenger
from bot.runtime.resources import Resources

__all__ = [
    "SyncReport",
    "WeComApiError",
    "WeComMessenger",
    "build_messenger",
    "check_config",
    "setup_routes",
    "sync_contacts",
]


def setup_routes(app: web.Application) -> None:
    """``/wecom/callback`` on ``app``. The callback's code (XML parsing, AES) is imported here, by
    the web process only: the worker, which also imports this package, never loads it."""
    from bot.messengers.wecom.callback import setup_routes as add_callback  # noqa: PLC0415

    add_callback(app)


def build_messenger(resources: Resources) -> WeComMessenger:
    """The WeCom messenger of this process (one token cache and limiter shared through Redis)."""
    s = resources.settings
    if not (s.wecom_corp_id and s.wecom_secret and s.wecom_agent_id):
        raise ValueError("企业微信未配置：需要 TIJI_WECOM_CORP_ID、TIJI_WECOM_AGENT_ID、TIJI_WECOM_SECRET")
    client = WeComClient(
        http=resources.http,
        redis=resources.redis,
        base_url=s.wecom_api_base,
        corp_id=s.wecom_corp_id,
        secret=s.wecom_secret,
    )
    return WeComMessenger(resources, client)
