"""Every console route (whatever module serves it) refuses the wrong people: an anonymous browser
is sent to sign in (a form post gets 401/403, never data), and a signed-in person without a
console role gets 403 with no data. Path parameters are filled with an id of another organisation's
row, which no viewer may reach."""

from __future__ import annotations

import re

from aiohttp import web

from bot.runtime.resources import Resources
from tests.support.console import HTML, ConsoleOrg, console_app, console_client
from tests.support.pages import signed_in_client

PUBLIC = {"/admin/signin", "/admin/signin/wecom", "/admin/signin/dingtalk"}


def console_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, path with its parameters filled) of every ``/admin`` route but the sign-in's."""
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = str(info.get("path") or info.get("formatter") or "")
        if not path.startswith("/admin") or path in PUBLIC or route.method == "HEAD":
            continue
        found.append((route.method, re.sub(r"\{[^}]+\}", "999", path)))
    return sorted(set(found))


async def test_there_are_console_routes_to_check(resources: Resources) -> None:
    assert ("GET", "/admin") in console_routes(console_app(resources))


async def test_an_anonymous_browser_gets_the_sign_in_or_a_refusal(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await console_client(resources)
    try:
        for method, path in console_routes(client.app):
            response = await client.request(method, path, headers=HTML, allow_redirects=False)
            if method == "GET":
                assert response.status == 302, path
                assert response.headers["Location"].startswith("/admin/signin?next="), path
            else:
                assert response.status in {401, 403}, (method, path, response.status)
    finally:
        await client.close()


async def test_staff_without_a_console_role_get_403_everywhere(
    resources: Resources, corg: ConsoleOrg
) -> None:
    client = await signed_in_client(console_app(resources), corg.staff)
    try:
        for method, path in console_routes(client.app):
            if method != "GET":
                continue
            response = await client.get(path, headers=HTML, allow_redirects=False)
            assert response.status == 403, path
            text = await response.text()
            assert "运政股" not in text and "张三" not in text, path
    finally:
        await client.close()


async def test_every_nav_entry_a_viewer_is_shown_opens_for_them(
    resources: Resources, corg: ConsoleOrg
) -> None:
    """The menu never offers a page that then says 没有权限 (office, 纪检组, admin, principal, deputy)."""
    for person in (corg.office, corg.discipline, corg.admin, corg.principal, corg.deputy):
        client = await signed_in_client(console_app(resources), person)
        try:
            home = await client.get("/admin", headers=HTML)
            assert home.status == 200, person.handle
            entries = re.findall(r'<a[^>]+href="(/admin[^"?]*)"[^>]*>[^<]+</a>', await home.text())
            nav = {path for path in entries if path.count("/") <= 2}
            assert "/admin/matters" in nav, (person.handle, nav)
            for path in sorted(nav):
                response = await client.get(path, headers=HTML, allow_redirects=False)
                assert response.status == 200, (person.handle, path, response.status)
        finally:
            await client.close()
