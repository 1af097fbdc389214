"""The simulator messenger: a Messenger that writes ``SimMessage`` rows, and its clock store.

It goes through the same router, workflow, outbox and arq delivery as the real platforms; its page
and JSON API (DESIGN §4) are handlers in ``handlers/web/sim/``.
"""

from __future__ import annotations

from aiohttp import web

from bot.messengers.simulator.messenger import SimulatorMessenger
from bot.outbound import Messenger
from bot.runtime.resources import Resources
from bot.settings import Settings

__all__ = ["SimulatorMessenger", "build_messenger", "check_config", "setup_routes"]


def build_messenger(resources: Resources) -> Messenger:
    return SimulatorMessenger(resources)


def setup_routes(app: web.Application) -> None:
    """The simulator has no platform callback; its page and API are added by the web app."""


def check_config(settings: Settings) -> list[str]:
    """The simulator needs no configuration."""
    return []
