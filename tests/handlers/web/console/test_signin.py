"""Signing in to the console: a local account's password (argon2, locked for 15 minutes after 5
wrong tries, the same words for an unknown username), WeCom's and DingTalk's web (QR) login
against the fake platform APIs; a new session at every sign-in; CSRF on the form."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account, unlock_account
from bot.runtime.resources import Resources
from models.org import Person
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.fakes.dingtalk_openapi import FakeDingTalk, running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.support.console import HTML, Client, ConsoleOrg, console_client, csrf_of

PASSWORD = "correct horse battery"
SAME_WORDS = "用户名或密码不正确"


@pytest.fixture
async def client(resources: Resources, corg: ConsoleOrg, clock: SimClock) -> AsyncIterator[Client]:
    await add_account("tc", "wangban", PASSWORD, ["office"], now=clock.now(), display_name="王办（本地）")
    test_client = await console_client(resources)
    yield test_client
    await test_client.close()


async def _post(
    client: Client, username: str, password: str, next_path: str = "/admin"
) -> tuple[int, str, str]:
    token = await csrf_of(client, "/admin/signin")
    response = await client.post(
        "/admin/signin",
        data={"csrf": token, "username": username, "password": password, "next": next_path},
        headers=HTML,
        allow_redirects=False,
    )
    return response.status, response.headers.get("Location", ""), await response.text()


def _session_cookie(client: Client) -> str:
    return next((c.value for c in client.session.cookie_jar if c.key == "tiji_session"), "")


async def test_a_local_account_signs_in_with_its_password_and_a_new_session(client: Client) -> None:
    await client.get("/admin/signin", headers=HTML)  # a session exists before sign-in (its CSRF token)
    before = _session_cookie(client)
    status, location, _ = await _post(client, "wangban", PASSWORD, "/admin?quarter=2026Q4")
    assert status == 302 and location == "/admin?quarter=2026Q4"
    assert _session_cookie(client) not in {"", before}
    page = await client.get("/admin", headers=HTML)
    assert page.status == 200
    assert "王办（本地）" in await page.text()


async def test_a_wrong_password_and_an_unknown_user_get_the_same_words(client: Client) -> None:
    wrong = await _post(client, "wangban", "not the password")
    unknown = await _post(client, "nobody", "not the password")
    assert wrong[0] == unknown[0] == 401
    assert SAME_WORDS in wrong[2] and SAME_WORDS in unknown[2]
    assert (await client.get("/admin", headers=HTML, allow_redirects=False)).status == 302


async def test_five_wrong_passwords_lock_the_account_for_15_minutes(client: Client, clock: SimClock) -> None:
    clock.set(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    for _ in range(4):
        assert (await _post(client, "wangban", "wrong password"))[0] == 401
    status, _, text = await _post(client, "wangban", "wrong password")
    assert status == 429
    assert "账号已锁定 15 分钟" in text and "请于 10:15 后再试" in text
    # locked: even the right password is refused
    status, _, text = await _post(client, "wangban", PASSWORD)
    assert status == 429 and "请于 10:15 后再试" in text
    clock.advance(dt.timedelta(minutes=15, seconds=1))
    assert (await _post(client, "wangban", PASSWORD))[0] == 302


async def test_an_unlocked_account_signs_in_at_once(client: Client) -> None:
    for _ in range(5):
        await _post(client, "wangban", "wrong password")
    await unlock_account("wangban")
    assert (await _post(client, "wangban", PASSWORD))[0] == 302


async def test_an_unknown_username_locks_just_as_a_real_one(client: Client) -> None:
    for _ in range(4):
        assert (await _post(client, "ghost", "wrong password"))[0] == 401
    status, _, text = await _post(client, "ghost", "wrong password")
    assert status == 429 and "账号已锁定 15 分钟" in text


async def test_the_form_without_its_csrf_token_is_refused(client: Client) -> None:
    response = await client.post(
        "/admin/signin",
        data={"username": "wangban", "password": PASSWORD},
        headers=HTML,
        allow_redirects=False,
    )
    assert response.status == 403
    assert "安全校验没有通过" in await response.text()


async def test_next_never_leaves_the_console(client: Client) -> None:
    status, location, _ = await _post(client, "wangban", PASSWORD, "https://evil.example/admin")
    assert status == 302 and location == "/admin"


async def test_a_username_with_markup_is_shown_escaped(client: Client) -> None:
    _, _, text = await _post(client, '<script>alert("x")</script>', "wrong password")
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text


async def test_signing_out_ends_the_session(client: Client) -> None:
    await _post(client, "wangban", PASSWORD)
    token = await csrf_of(client, "/admin")
    response = await client.post("/admin/signout", data={"csrf": token}, headers=HTML, allow_redirects=False)
    assert response.status == 302
    assert (await client.get("/admin", headers=HTML, allow_redirects=False)).status == 302


# -- WeCom's and DingTalk's web login --------------------------------------------------------


@pytest.fixture
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def wecom_client(resources: Resources, corg: ConsoleOrg, wecom: FakeWeCom) -> AsyncIterator[Client]:
    await Person.filter(id=corg.office.id).update(wecom_userid="office-wx")
    await Person.filter(id=corg.staff.id).update(wecom_userid="staff-wx")
    settings = resources.settings.model_copy(
        update={**wecom_fields(wecom), "wecom_login_base": wecom.base_url}
    )
    test_client = await console_client(Resources(settings=settings, clock=resources.clock, redis=resources.redis,
                                                 http=resources.http))  # fmt: skip
    yield test_client
    await test_client.close()


async def test_the_office_signs_in_by_scanning_wecom_s_qr_code(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = "office-wx"
    page = await wecom_client.get("/admin/signin?next=/admin", headers=HTML)
    assert "企业微信扫码登录" in await page.text()
    response = await wecom_client.get("/admin/signin/wecom?next=/admin", headers=HTML)
    assert response.status == 200
    assert "王办公" in await response.text()
    asked = wecom.web_logins[-1]
    assert asked["login_type"] == "CorpApp" and asked["appid"] == wecom.corp_id
    assert asked["agentid"] == str(wecom.agent_id)
    assert asked["redirect_uri"].endswith("/admin/signin/wecom")
    assert wecom.oauth_codes == {}  # the code was used once, by getuserinfo


async def test_staff_without_a_console_role_are_refused_after_scanning(
    wecom_client: Client, wecom: FakeWeCom
) -> None:
    wecom.oauth_userid = "staff-wx"
    response = await wecom_client.get("/admin/signin/wecom", headers=HTML)
    assert response.status == 403
    assert "没有管理后台的权限" in await response.text()
    assert (await wecom_client.get("/admin", headers=HTML, allow_redirects=False)).status == 302


async def test_a_code_without_our_state_is_refused(wecom_client: Client, wecom: FakeWeCom) -> None:
    response = await wecom_client.get("/admin/signin/wecom?code=abc&state=forged", headers=HTML)
    assert response.status == 400
    assert "登录请求已失效" in await response.text()


@pytest.fixture
async def dingtalk(resources: Resources, corg: ConsoleOrg) -> AsyncIterator[tuple[FakeDingTalk, Client]]:
    await Person.filter(id=corg.discipline.id).update(dingtalk_userid="jijian-dd")
    async with running_fake_dingtalk() as fake:
        settings = dingtalk_settings(resources.settings, fake, dingtalk_login_base=fake.base_url,
                                     dingtalk_corp_id=fake.web_login_corp_id)  # fmt: skip
        test_client = await console_client(Resources(settings=settings, clock=resources.clock,
                                                     redis=resources.redis, http=resources.http))  # fmt: skip
        try:
            yield fake, test_client
        finally:
            await test_client.close()


async def test_the_discipline_group_signs_in_with_dingtalk_s_web_login(
    dingtalk: tuple[FakeDingTalk, Client],
) -> None:
    fake, client = dingtalk
    fake.web_login_userid = "jijian-dd"
    response = await client.get("/admin/signin/dingtalk?next=/admin", headers=HTML)
    assert response.status == 200
    assert "纪检员" in await response.text()
    asked = fake.web_logins[-1]
    assert asked["client_id"] == fake.client_id and "openid" in asked["scope"]
    assert fake.web_login_codes == {}  # the code was used once


async def test_someone_outside_the_organisation_gets_a_chinese_page(
    dingtalk: tuple[FakeDingTalk, Client],
) -> None:
    fake, client = dingtalk
    fake.web_login_userid = None
    response = await client.get("/admin/signin/dingtalk", headers=HTML)
    assert response.status == 403
    assert "不是本单位的成员" in await response.text()


async def test_replaying_dingtalk_s_answer_does_not_sign_in_again(
    dingtalk: tuple[FakeDingTalk, Client],
) -> None:
    fake, client = dingtalk
    fake.web_login_userid = "jijian-dd"
    start = await client.get("/admin/signin/dingtalk", headers=HTML, allow_redirects=False)
    at_dingtalk = await client.session.get(start.headers["Location"], allow_redirects=False)
    answer = at_dingtalk.headers["Location"]
    first = await client.session.get(answer, headers=HTML, allow_redirects=False)
    assert first.status == 302 and first.headers["Location"] == "/admin"
    again = await client.session.get(answer, headers=HTML, allow_redirects=False)
    assert again.status == 400
    assert "登录请求已失效" in await again.text()
