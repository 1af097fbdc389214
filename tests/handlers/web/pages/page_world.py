"""Shared by the todo and stand-in page tests: a client of the phone pages signed in as a person
(the app built as the real one builds its pages, on the test's clock and Redis)."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient

import handlers.web.pages
from bot.runtime.resources import RESOURCES, Resources
from bot.settings import Settings
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.org import Person
from tests.support.pages import signed_in_client

HTML = {"Accept": "text/html"}
Client = TestClient[web.Request, web.Application]


def pages_app(settings: Settings, resources: Resources) -> web.Application:
    app = web_layer()
    app[RESOURCES] = Resources(
        settings=settings, clock=resources.clock, redis=resources.redis, http=resources.http
    )
    setup_pages(app, settings)
    handlers.web.pages.setup_routes(app)
    return app


async def client_as(settings: Settings, resources: Resources, person: Person) -> Client:
    """A started client whose session is ``person``'s."""
    return await signed_in_client(pages_app(settings, resources), person)


def csrf_of(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
