"""The public pages (``/public/{org}/…``): no sign-in, phone-first, no external resources. One
module per page, each with a ``routes`` table; ``setup_routes`` serves every module of this package
that has one (like ``handlers.web.console``)."""

from __future__ import annotations

from aiohttp import web

from handlers.web.route_tables import add_module_routes


def setup_routes(app: web.Application) -> None:
    """Add every public page's routes."""
    add_module_routes(app, __name__, __path__)
