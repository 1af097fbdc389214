"""The aiohttp application factory: the composition root of the web process (and of the web half
of `tiji dev`). It is the one module that wires handlers, messengers and runtime together."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.messengers.registry import setup_messenger_routes
from bot.messengers.simulator.clock_store import restore_offset
from bot.runtime.resources import RESOURCES, ROUTER, SETTINGS, Resources
from bot.settings import Settings
from bot.web.health import add_health_routes
from handlers.router import Router
from handlers.web.sim.pages import setup_simulator_routes

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"


def setup_templates(app: web.Application) -> None:
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)


def build_app(settings: Settings, *, resources: Resources) -> web.Application:
    """The web app over already-opened ``resources`` (see ``bot.runtime.lifecycle.running_resources``).

    The process opens its resources once and shares them between the web app, the worker and (in
    `tiji dev`) the DingTalk stream; they are closed after the app's runner is cleaned up.
    """
    app = web.Application()
    app[SETTINGS] = settings
    app[RESOURCES] = resources
    app[ROUTER] = Router(resources)
    setup_templates(app)
    add_health_routes(app)
    setup_messenger_routes(app, settings)
    if settings.simulator:
        setup_simulator_routes(app)
        app.on_startup.append(restore_offset)
    return app
