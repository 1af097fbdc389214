"""The aiohttp application factory: the composition root of the web process (and of the web half
of `tiji dev`). It is the one module of ``bot`` that imports ``handlers``: the router of inbound
events, and each web handler package's ``setup_routes(app)`` (``WEB_HANDLERS`` says which ones this
process serves)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

import handlers.web.console
import handlers.web.pages
import handlers.web.public
import handlers.web.sim
from bot.events import EventSink
from bot.health.metrics import WebMetrics
from bot.messengers.registry import setup_messenger_routes
from bot.runtime.resources import RESOURCES, ROUTER, SETTINGS, Resources
from bot.settings import Settings
from bot.web.errors import error_middleware
from bot.web.health import add_health_routes, callback_metrics_middleware
from bot.web.pages import setup_pages
from bot.web.request_ids import request_id_middleware
from bot.web.security import security_headers_middleware
from handlers.router import Router

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
MAX_BODY = 1024**2  # bytes; reading a larger request body stops there with a 413

# Outermost first: the request id is on every log line; the security headers go on every answer,
# the error answers included; callbacks are counted by the answer the platform got.
MIDDLEWARES = (
    request_id_middleware,
    security_headers_middleware,
    callback_metrics_middleware,
    error_middleware,
)

# (whether this process serves it, the handler package's route setup): one line per package.
WEB_HANDLERS: tuple[tuple[Callable[[Settings], bool], Callable[[web.Application], None]], ...] = (
    (lambda settings: settings.simulator, handlers.web.sim.setup_routes),
    (lambda settings: True, handlers.web.pages.setup_routes),
    (lambda settings: True, handlers.web.console.setup_routes),
    (lambda settings: True, handlers.web.public.setup_routes),
)


def setup_templates(app: web.Application) -> None:
    """Jinja2 pages from ``templates/``, autoescaped."""
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)


def web_layer() -> web.Application:
    """An application with the web layer and no routes yet: the middlewares, the body size limit
    and the page templates. ``build_app`` adds the routes; tests add just the ones they exercise."""
    app = web.Application(middlewares=MIDDLEWARES, client_max_size=MAX_BODY)
    setup_templates(app)
    return app


def build_router(resources: Resources) -> EventSink:
    """Where inbound events go: the handlers' router (also for `tiji dingtalk-stream`, which has
    no web app)."""
    return Router(resources)


def build_app(settings: Settings, *, resources: Resources) -> web.Application:
    """The web app over already-opened ``resources`` (see ``bot.runtime.lifecycle.running_resources``).

    The process opens its resources once and shares them between the web app, the worker and (in
    `tiji dev`) the DingTalk stream; they are closed after the app's runner is cleaned up.
    """
    app = web_layer()
    app[SETTINGS] = settings
    app[RESOURCES] = resources
    app[ROUTER] = build_router(resources)
    setup_pages(app, settings)
    add_health_routes(app, WebMetrics())
    setup_messenger_routes(app, settings)
    for serves, setup_routes in WEB_HANDLERS:
        if serves(settings):
            setup_routes(app)
    return app
