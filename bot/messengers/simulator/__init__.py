"""The simulator messenger: `/sim` (page + JSON API) and a Messenger that writes ``SimMessage`` rows.

It goes through the same router, workflow, outbox and arq delivery as the real platforms.
"""

from __future__ import annotations

from aiohttp import web

from bot.messengers.base import Messenger
from bot.messengers.simulator.clock_store import restore_offset
from bot.messengers.simulator.messenger import SimulatorMessenger
from bot.messengers.simulator.web import setup_simulator_routes
from bot.resources import Resources
from bot.settings import Settings

__all__ = ["SimulatorMessenger", "build_messenger", "check_config", "setup_routes"]


def build_messenger(resources: Resources) -> Messenger:
    return SimulatorMessenger(resources)


def setup_routes(app: web.Application) -> None:
    """GET /sim (the page) and the JSON API under /sim/api (DESIGN §4)."""
    setup_simulator_routes(app)
    app.on_startup.append(restore_offset)


def check_config(settings: Settings) -> list[str]:
    """The simulator needs no configuration."""
    return []
