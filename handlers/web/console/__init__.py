"""The console (``/admin``): one module per page, each with a ``routes`` table
(``aiohttp.web.RouteTableDef``). ``setup_routes`` serves every module of this package that has one,
so a new page is a new module and nothing here changes (see ``bot.web.console`` for the viewer,
the roles and ``render_console``)."""

from __future__ import annotations

import importlib
import pkgutil

from aiohttp import web


def console_route_tables() -> list[web.RouteTableDef]:
    """The ``routes`` of each module of this package, in module-name order."""
    tables = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes = getattr(module, "routes", None)
        if isinstance(routes, web.RouteTableDef):
            tables.append(routes)
    return tables


def setup_routes(app: web.Application) -> None:
    """Add every console page's routes."""
    for routes in console_route_tables():
        app.add_routes(routes)
