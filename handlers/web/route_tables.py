"""A package of pages serves itself: every module of it with a ``routes`` table
(``aiohttp.web.RouteTableDef``) is added, so a new page is a new module (``handlers.web.pages``,
``handlers.web.console``)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

from aiohttp import web


def module_route_tables(package: str, path: Iterable[str]) -> list[web.RouteTableDef]:
    """The ``routes`` of each module of ``package`` (its ``__path__`` is ``path``), by module name."""
    tables = []
    for info in sorted(pkgutil.iter_modules(path), key=lambda m: m.name):
        module = importlib.import_module(f"{package}.{info.name}")
        routes = getattr(module, "routes", None)
        if isinstance(routes, web.RouteTableDef):
            tables.append(routes)
    return tables


def add_module_routes(app: web.Application, package: str, path: Iterable[str]) -> None:
    """Add the routes of every module of ``package``."""
    for routes in module_route_tables(package, path):
        app.add_routes(routes)
