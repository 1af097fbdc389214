"""A test client signed in to the phone pages as a given person.

``signed_in_client(app, person)`` adds a test-only route ``/test/sign-in/{person_id}`` to the (not
yet started) ``app``, which calls ``bot.web.sessions.sign_in`` exactly as the platform sign-ins
do, starts a ``TestClient`` on it, signs in and returns the client (its cookie jar holds the
session). Close it with ``await client.close()``. The app needs the page machinery
(``bot.web.pages.setup_pages``, as ``build_app`` does) and ``app[RESOURCES]``.

In a real browser, sign in through the simulator's “以此身份打开” instead:
``page.goto(f"{base}/sim/open-as/{handle}?next=/m/todo")``.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.web.sessions import sign_in
from models.org import Person

SIGN_IN_ROUTE = "test_sign_in"


async def _sign_in_by_id(request: web.Request) -> web.Response:
    person = await Person.get(id=int(request.match_info["person_id"]))
    await sign_in(request, person)
    return web.Response(text="signed in")


async def signed_in_client(app: web.Application, person: Person) -> TestClient[web.Request, web.Application]:
    """A started client of ``app`` whose session is ``person``'s."""
    if SIGN_IN_ROUTE not in app.router.named_resources():
        app.router.add_get("/test/sign-in/{person_id}", _sign_in_by_id, name=SIGN_IN_ROUTE)
    client = TestClient(TestServer(app))
    await client.start_server()
    response = await client.get(f"/test/sign-in/{person.id}")
    assert response.status == 200, await response.text()
    return client
