"""The phone pages' sessions and CSRF: cookie flags, a new id at sign-in, expiry, the Chinese 401
and 403 pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http.cookies import SimpleCookie

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from yarl import URL

from bot.runtime.resources import RESOURCES, Resources
from bot.settings import Settings
from bot.web.app import web_layer
from bot.web.csrf import check_csrf
from bot.web.pages import render_page, setup_pages
from bot.web.sessions import KEY_PREFIX, sign_out, signed_in_person
from models.org import Person
from tests.support.pages import signed_in_client
from tests.support.sim_app import Org

routes = web.RouteTableDef()
HTML = {"Accept": "text/html"}


@routes.get("/m/t/form")
async def form_page(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    return await render_page(request, "pages/t_form.html.j2", {"person": person})


@routes.post("/m/t/form")
async def form_post(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    form = await request.post()
    await check_csrf(request, form)
    return web.Response(text=f"已保存：{person.name}")


@routes.post("/m/t/out")
async def out(request: web.Request) -> web.Response:
    await sign_out(request)
    return web.Response(text="bye")


def app_for(settings: Settings, resources: Resources) -> web.Application:
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, settings)
    app.add_routes(routes)
    return app


@pytest.fixture(autouse=True)
def form_template(monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-form page on the real base template."""
    import jinja2

    from bot.web import app as app_module

    loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader(
                {
                    "pages/t_form.html.j2": '{% extends "pages/base.html.j2" %}{% block content %}'
                    '<form method="post">{{ csrf_field() }}<button>保存</button></form>{% endblock %}'
                }
            ),
            jinja2.FileSystemLoader(str(app_module.TEMPLATES_DIR)),
        ]
    )
    monkeypatch.setattr(app_module.jinja2, "FileSystemLoader", lambda _path: loader)


def _cookie(response: aiohttp.ClientResponse) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        cookie.load(header)
    return cookie


def _token(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
async def staff_client(
    settings: Settings, resources: Resources, org: Org
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    client = await signed_in_client(app_for(settings, resources), org.staff)
    yield client
    await client.close()


async def test_a_page_without_a_session_sends_the_browser_to_sign_in_and_back(
    settings: Settings, resources: Resources, org: Org
) -> None:
    async with TestClient(TestServer(app_for(settings, resources))) as client:
        response = await client.get("/m/t/form?x=1", allow_redirects=False, headers=HTML)
        assert response.status == 302
        location = URL(response.headers["Location"])
        assert location.path == "/m/signin"
        assert location.query["next"] == "/m/t/form?x=1"


async def test_a_post_without_a_session_gets_the_chinese_sign_in_page(
    settings: Settings, resources: Resources, org: Org
) -> None:
    async with TestClient(TestServer(app_for(settings, resources))) as client:
        response = await client.post("/m/t/form", data={"csrf": "x"}, headers=HTML)
        assert response.status == 401
        assert response.content_type == "text/html"
        assert "请先登录" in await response.text()


async def test_the_session_cookie_is_httponly_lax_and_expiring(
    settings: Settings, resources: Resources, org: Org
) -> None:
    client = await signed_in_client(app_for(settings, resources), org.staff)
    try:
        response = await client.get(f"/test/sign-in/{org.head.id}")
        morsel = _cookie(response)["tiji_session"]
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Lax"
        assert int(morsel["max-age"]) == 12 * 3600
        assert not morsel["secure"]  # the test settings have no https public URL
    finally:
        await client.close()


async def test_behind_https_the_cookie_is_secure(settings: Settings, resources: Resources, org: Org) -> None:
    https = settings.model_copy(update={"public_url": "https://tiji.example.gov.cn", "session_hours": 2})
    client = await signed_in_client(app_for(https, resources), org.staff)
    try:
        response = await client.get(f"/test/sign-in/{org.staff.id}")
        morsel = _cookie(response)["tiji_session"]
        assert morsel["secure"] is True
        assert int(morsel["max-age"]) == 2 * 3600
    finally:
        await client.close()


async def test_signing_in_starts_a_new_session_id_and_drops_the_old_one(
    staff_client: TestClient[web.Request, web.Application], redis: Redis, org: Org
) -> None:
    before = staff_client.session.cookie_jar.filter_cookies(staff_client.make_url("/"))["tiji_session"].value
    await staff_client.get(f"/test/sign-in/{org.head.id}")
    after = staff_client.session.cookie_jar.filter_cookies(staff_client.make_url("/"))["tiji_session"].value
    assert before != after
    assert await redis.get(KEY_PREFIX + before) is None
    assert await redis.get(KEY_PREFIX + after) is not None


async def test_a_form_with_its_token_is_accepted(
    staff_client: TestClient[web.Request, web.Application],
) -> None:
    page = await staff_client.get("/m/t/form", headers=HTML)
    token = _token(await page.text())
    response = await staff_client.post("/m/t/form", data={"csrf": token}, headers=HTML)
    assert response.status == 200
    assert await response.text() == "已保存：张三"


@pytest.mark.parametrize("sent", [None, "", "forged-token"])
async def test_csrf_a_form_without_its_token_is_refused_with_a_chinese_page(
    staff_client: TestClient[web.Request, web.Application], sent: str | None
) -> None:
    await staff_client.get("/m/t/form", headers=HTML)  # the session has a token now
    data = {} if sent is None else {"csrf": sent}
    response = await staff_client.post("/m/t/form", data=data, headers=HTML)
    assert response.status == 403
    text = await response.text()
    assert "安全校验没有通过" in text
    assert "已保存" not in text


async def test_a_person_made_inactive_is_signed_out_at_the_next_page(
    staff_client: TestClient[web.Request, web.Application], org: Org
) -> None:
    await Person.filter(id=org.staff.id).update(active=False)
    response = await staff_client.get("/m/t/form", allow_redirects=False, headers=HTML)
    assert response.status == 302
    assert response.headers["Location"].startswith("/m/signin")


async def test_signing_out_deletes_the_session(
    staff_client: TestClient[web.Request, web.Application], redis: Redis
) -> None:
    key = staff_client.session.cookie_jar.filter_cookies(staff_client.make_url("/"))["tiji_session"].value
    await staff_client.post("/m/t/out")
    assert await redis.get(KEY_PREFIX + key) is None


async def test_an_unknown_page_is_a_chinese_404_page(
    staff_client: TestClient[web.Request, web.Application],
) -> None:
    response = await staff_client.get("/m/no-such-page", headers=HTML)
    assert response.status == 404
    assert response.content_type == "text/html"
    text = await response.text()
    assert "没有找到" in text and "pages.css" in text
