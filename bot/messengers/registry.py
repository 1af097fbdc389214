"""Which messengers this process runs, from the settings.

Each platform package exposes ``build_messenger(resources) -> Messenger`` and
``setup_routes(app) -> None``; nothing else of a platform is imported by the core.
"""

from __future__ import annotations

from aiohttp import web

from bot.inbound.apply import Prepare
from bot.messengers import dingtalk, simulator, wecom
from bot.messengers.wecom.inbound import prepare as wecom_prepare
from bot.outbound import Messenger
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.enums import Platform


def build_messengers(resources: Resources) -> dict[Platform, Messenger]:
    settings = resources.settings
    messengers: dict[Platform, Messenger] = {}
    if settings.simulator:
        messengers[Platform.SIMULATOR] = simulator.build_messenger(resources)
    if settings.wecom_enabled:
        messengers[Platform.WECOM] = wecom.build_messenger(resources)
    if settings.dingtalk_enabled:
        messengers[Platform.DINGTALK] = dingtalk.build_messenger(resources)
    return messengers


def setup_messenger_routes(app: web.Application, settings: Settings) -> None:
    """Add each configured platform's callback routes (and the simulator's pages) to ``app``."""
    if settings.simulator:
        simulator.setup_routes(app)
    if settings.wecom_enabled:
        wecom.setup_routes(app)
    if settings.dingtalk_enabled:
        dingtalk.setup_routes(app)


def inbound_prepares() -> dict[Platform, Prepare]:
    """Each platform's step before the router when the worker applies a stored inbound event."""
    return {Platform.WECOM: wecom_prepare}
