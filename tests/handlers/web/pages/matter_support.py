"""Helpers of the matter page tests: the example org behind the pages, a client signed in as a
handle, and the tokens a rendered page carries (CSRF, nonce)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient

import handlers.web.pages
from bot.runtime.resources import RESOURCES, Resources
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.matter import Matter
from models.org import Person
from tests.support.pages import signed_in_client

Client = TestClient[web.Request, web.Application]
HTML = {"Accept": "text/html"}
XSS = "<script>alert(1)</script>"


def page_app(resources: Resources) -> web.Application:
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, resources.settings)
    handlers.web.pages.setup_routes(app)
    return app


async def client_as(resources: Resources, handle: str) -> Client:
    person = await Person.get(handle=handle)
    return await signed_in_client(page_app(resources), person)


@dataclass
class Rendered:
    status: int
    html: str

    def token(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.html)
        assert found, f"no {name} field on the page"
        return found.group(1)

    @property
    def csrf(self) -> str:
        return self.token("csrf")

    @property
    def nonce(self) -> str:
        return self.token("nonce")

    @property
    def step(self) -> str:
        return self.token("step")


async def open_page(client: Client, matter: Matter) -> Rendered:
    response = await client.get(f"/m/matters/{matter.number}", headers=HTML)
    return Rendered(response.status, await response.text())


async def post(
    client: Client, matter: Matter, what: str, data: dict[str, str], page: Rendered | None = None
) -> Rendered:
    """POST ``data`` (with the page's CSRF token and nonce unless given) and follow the 303."""
    page = page or await open_page(client, matter)
    fields = {"csrf": page.csrf, "nonce": page.nonce, **data}
    if what == "decide" and "step" not in fields:
        fields["step"] = page.step
    response = await client.post(f"/m/matters/{matter.number}/{what}", data=fields, headers=HTML)
    return Rendered(response.status, await response.text())
