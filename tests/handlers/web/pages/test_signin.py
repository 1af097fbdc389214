"""Signing in to the phone pages where the person already is: WeCom's OAuth2 redirect and
DingTalk's free-login code, against the fake platform APIs; outsiders and inactive people get a
Chinese page and no session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import handlers.web.pages
from bot.runtime.resources import RESOURCES, Resources
from bot.settings import Settings
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from bot.web.sessions import signed_in_person
from models.org import Person
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.fakes.dingtalk_openapi import running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.support.pages import signed_in_client
from tests.support.sim_app import Org

HTML = {"Accept": "text/html"}
Client = TestClient[web.Request, web.Application]


async def who(request: web.Request) -> web.Response:
    person = await signed_in_person(request)
    return web.Response(text=f"你好，{person.name}")


async def page_client(settings: Settings, resources: Resources) -> Client:
    app = web_layer()
    app[RESOURCES] = Resources(
        settings=settings, clock=resources.clock, redis=resources.redis, http=resources.http
    )
    setup_pages(app, settings)
    handlers.web.pages.setup_routes(app)
    app.router.add_get("/m/t/who", who)
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def wecom_client(
    settings: Settings, resources: Resources, wecom: FakeWeCom, org: Org
) -> AsyncIterator[Client]:
    await Person.filter(id=org.staff.id).update(wecom_userid="zhangsan-wx")
    await Person.filter(handle="gone").update(wecom_userid="gone-wx")
    wecom_settings = settings.model_copy(update={**wecom_fields(wecom), "wecom_oauth_base": wecom.base_url})
    client = await page_client(wecom_settings, resources)
    yield client
    await client.close()


async def test_wecom_signs_in_through_the_oauth_redirect_and_comes_back_to_the_page(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = "zhangsan-wx"
    response = await wecom_client.get("/m/signin?via=wecom&next=/m/t/who", headers=HTML)
    assert response.status == 200
    assert await response.text() == "你好，张三"
    asked = wecom.oauth_redirects[-1]
    assert asked["scope"] == "snsapi_base"
    assert asked["appid"] == wecom.corp_id
    assert asked["agentid"] == str(wecom.agent_id)
    assert asked["redirect_uri"].endswith("/m/signin?via=wecom")
    # the code was used once, by getuserinfo
    assert wecom.oauth_codes == {}
    assert any(path == "/cgi-bin/auth/getuserinfo" for path, _q in wecom.calls)


async def test_a_page_opened_inside_wecom_signs_in_by_itself(wecom_client: Client, wecom: FakeWeCom) -> None:
    wecom.oauth_userid = "zhangsan-wx"
    response = await wecom_client.get("/m/t/who", headers={**HTML, "User-Agent": "Mozilla/5.0 wxwork/4.1.22"})
    assert await response.text() == "你好，张三"


async def test_someone_outside_the_corp_gets_a_chinese_page_and_no_session(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = None
    response = await wecom_client.get("/m/signin?via=wecom&next=/m/t/who", headers=HTML)
    assert response.status == 403
    assert "不是本单位的成员" in await response.text()
    again = await wecom_client.get("/m/t/who", allow_redirects=False, headers=HTML)
    assert again.status == 302


async def test_a_member_missing_from_the_org_file_is_told_whom_to_ask(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = "stranger-wx"
    response = await wecom_client.get("/m/signin?via=wecom&next=/m/t/who", headers=HTML)
    assert response.status == 403
    text = await response.text()
    assert "不在提级的组织架构中" in text and "stranger-wx" in text and "活动办公室" in text


async def test_an_inactive_person_is_told_the_account_is_disabled(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = "gone-wx"
    response = await wecom_client.get("/m/signin?via=wecom&next=/m/t/who", headers=HTML)
    assert response.status == 403
    assert "已停用" in await response.text()


async def test_a_replayed_or_forged_code_is_refused(wecom_client: Client, wecom: FakeWeCom) -> None:
    response = await wecom_client.get("/m/signin?via=wecom&code=forged&state=whatever", headers=HTML)
    assert response.status == 400
    assert "登录请求已失效" in await response.text()


async def test_next_never_leaves_the_pages(wecom_client: Client, wecom: FakeWeCom) -> None:
    wecom.oauth_userid = "zhangsan-wx"
    response = await wecom_client.get(
        "/m/signin?via=wecom&next=https://evil.example/", allow_redirects=True, headers=HTML
    )
    assert response.url.host == "127.0.0.1"
    assert response.url.path.startswith("/m/")


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="', 1)[1].split('"', 1)[0]


async def test_dingtalk_signs_in_with_the_free_login_code(
    settings: Settings, resources: Resources, org: Org
) -> None:
    await Person.filter(id=org.head.id).update(dingtalk_userid="lisi-dd")
    async with running_fake_dingtalk() as fake:
        dd_settings = dingtalk_settings(settings, fake, dingtalk_corp_id="dingcorp123")
        client = await page_client(dd_settings, resources)
        try:
            page = await client.get("/m/signin?via=dingtalk&next=/m/t/who", headers=HTML)
            html = await page.text()
            assert 'data-corp-id="dingcorp123"' in html
            assert "dingtalk.min.js" in html
            vendored = await client.get("/m/static/vendor/dingtalk-jsapi/dingtalk.min.js")
            assert vendored.status == 200
            code = fake.issue_auth_code("lisi-dd")
            form = {"csrf": _csrf(html), "code": code, "next": "/m/t/who"}
            response = await client.post("/m/signin/dingtalk", data=form, headers=HTML)
            assert await response.text() == "你好，李四"
            assert fake.auth_codes == {}
            # the same code again, from a fresh browser: refused, said in Chinese
            other = await page_client(dd_settings, resources)
            try:
                fresh = await other.get("/m/signin?via=dingtalk", headers=HTML)
                form["csrf"] = _csrf(await fresh.text())
                replay = await other.post("/m/signin/dingtalk", data=form, headers=HTML)
                assert replay.status == 400
                assert "只能用一次" in await replay.text()
            finally:
                await other.close()
        finally:
            await client.close()


async def test_dingtalk_code_post_without_csrf_is_refused(
    settings: Settings, resources: Resources, org: Org
) -> None:
    async with running_fake_dingtalk() as fake:
        client = await page_client(dingtalk_settings(settings, fake), resources)
        try:
            code = fake.issue_auth_code("lisi-dd")
            response = await client.post("/m/signin/dingtalk", data={"code": code}, headers=HTML)
            assert response.status == 403
            assert code in fake.auth_codes  # nothing was exchanged
        finally:
            await client.close()


async def test_the_simulator_explains_how_to_choose_a_person(
    settings: Settings, resources: Resources, org: Org
) -> None:
    client = await page_client(settings, resources)
    try:
        response = await client.get("/m/t/who", headers=HTML)
        assert "以此身份打开" in await response.text()
    finally:
        await client.close()


async def test_open_as_signs_in_as_the_chosen_person(
    settings: Settings, resources: Resources, org: Org
) -> None:
    import handlers.web.sim

    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, settings)
    handlers.web.sim.setup_routes(app)
    app.router.add_get("/m/t/who", who)
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/sim/open-as/lisi?next=/m/t/who", headers=HTML)
        assert await response.text() == "你好，李四"
        refused = await client.get("/sim/open-as/gone", headers=HTML)
        assert refused.status == 404
        assert "没有这个人" in await refused.text()


@pytest.mark.parametrize("agent", ["Mozilla/5.0 DingTalk/7.0.50"])
async def test_a_page_opened_inside_dingtalk_asks_dingtalk_for_a_code(
    settings: Settings, resources: Resources, org: Org, agent: str
) -> None:
    async with running_fake_dingtalk() as fake:
        both = dingtalk_settings(settings, fake)
        client = await page_client(both, resources)
        try:
            response = await client.get("/m/t/who", headers={**HTML, "User-Agent": agent})
            assert "正在通过钉钉登录" in await response.text()
        finally:
            await client.close()


async def test_my_account_page_shows_who_is_signed_in_and_signs_out(
    settings: Settings, resources: Resources, org: Org
) -> None:
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, settings)
    handlers.web.pages.setup_routes(app)
    client = await signed_in_client(app, org.head)
    try:
        page = await client.get("/m/me", headers=HTML)
        html = await page.text()
        assert "李四" in html and "运政股" in html and "股长" in html
        refused = await client.post("/m/signout", data={}, headers=HTML)
        assert refused.status == 403
        token = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        out = await client.post("/m/signout", data={"csrf": token}, headers=HTML)
        assert "已退出登录" in await out.text()
        again = await client.get("/m/me", allow_redirects=False, headers=HTML)
        assert again.status == 302
    finally:
        await client.close()
