"""The public pages (``/public/{org}/…``, no sign-in): the 公示 page, the complaint form and the
progress lookup; one module per page, each with a ``routes`` table, all served by ``setup_routes``."""

from __future__ import annotations

from aiohttp import web

from handlers.web.route_tables import add_module_routes


def setup_routes(app: web.Application) -> None:
    """Add every public page's routes."""
    add_module_routes(app, __name__, __path__)
