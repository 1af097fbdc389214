"""Support of the C5 console tests: the shipped example org imported, a signed-in client, posting
a form with the page's CSRF token, and the audit rows of console changes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import ClientResponse

from bot.org import import_org
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.org import Person
from tests.support.console import HTML, Client, console_app, csrf_of
from tests.support.pages import signed_in_client

EXAMPLE = (Path(__file__).resolve().parents[4] / "examples" / "org.yaml").read_text(encoding="utf-8")


@asynccontextmanager
async def client_of(resources: Resources, handle: str) -> AsyncIterator[Client]:
    person = await Person.get(handle=handle)
    client = await signed_in_client(console_app(resources), person)
    try:
        yield client
    finally:
        await client.close()


async def post_form(
    client: Client, page: str, action: str, data: Mapping[str, str | list[str]] | list[tuple[str, str]]
) -> ClientResponse:
    """POST ``data`` to ``action`` with the CSRF token of ``page`` (no redirects followed)."""
    token = await csrf_of(client, page)
    items = list(data.items()) if isinstance(data, Mapping) else list(data)
    pairs: list[tuple[str, str]] = [("csrf", token)]
    for key, value in items:
        pairs.extend((key, v) for v in value) if isinstance(value, list) else pairs.append((key, value))
    return await client.post(action, data=pairs, headers=HTML, allow_redirects=False)


async def console_audits(what: str) -> list[AuditEntry]:
    return await AuditEntry.filter(action=f"console.{what}").order_by("seq")


async def example_org() -> None:
    await import_org(EXAMPLE, source="examples/org.yaml")
