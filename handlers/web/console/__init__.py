"""The console (``/admin``): one module per page, each with a ``routes`` table
(``aiohttp.web.RouteTableDef``). ``setup_routes`` serves every module of this package that has one,
so a new page is a new module and nothing here changes (see ``bot.web.console`` for the viewer,
the roles and ``render_console``)."""

from __future__ import annotations

from aiohttp import web

from handlers.web.route_tables import add_module_routes


def setup_routes(app: web.Application) -> None:
    """Add every console page's routes."""
    add_module_routes(app, __name__, __path__)
