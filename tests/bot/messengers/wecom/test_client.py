"""The API client against the fake WeCom: shared token, refresh on expiry, errors, back-off."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.messengers.wecom import client as client_module
from bot.messengers.wecom.client import WeComApiError, WeComClient
from bot.runtime.locks import RedisLock
from bot.runtime.resources import Resources
from tests.fakes.wecom_api import FakeWeCom


def client_for(resources: Resources, fake: FakeWeCom, *, secret: str | None = None,
               http: aiohttp.ClientSession | None = None) -> WeComClient:  # fmt: skip
    return WeComClient(http=http or resources.http, redis=resources.redis, base_url=fake.base_url,
                       corp_id=fake.corp_id, secret=secret or fake.secret)  # fmt: skip


async def test_the_token_is_fetched_once_and_shared_through_redis(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    first = client_for(plain_resources, fake)
    async with aiohttp.ClientSession() as other_http:  # another process: own HTTP client, same Redis
        second = client_for(plain_resources, fake, http=other_http)
        await asyncio.gather(*(c.get("/cgi-bin/department/list") for c in [first, second] * 5))
    assert fake.gettoken_calls == 1
    ttl = await plain_resources.redis.ttl(first.token_key)
    assert 6800 <= ttl <= 6900  # expires_in 7200 minus a 300 s margin


async def test_a_refresh_lock_held_by_another_process_is_waited_for_and_left_alone(
    plain_resources: Resources, fake: FakeWeCom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "_LOCK_WAIT_SECONDS", 0.2)
    client = client_for(plain_resources, fake)
    stuck = RedisLock(plain_resources.redis, client._lock_name, ttl=30)
    assert await stuck.acquire()  # a process that hangs mid-fetch
    with pytest.raises(WeComApiError) as caught:
        await client.get("/cgi-bin/department/list")
    assert caught.value.transient and fake.gettoken_calls == 0
    assert await stuck.owned()  # its lock was not deleted under it
    await stuck.release()
    await client.get("/cgi-bin/department/list")  # the delivery job's retry
    assert fake.gettoken_calls == 1


async def test_an_expired_token_is_refreshed_once_and_the_call_retried(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    client = client_for(plain_resources, fake)
    await client.get("/cgi-bin/department/list")
    fake.expire_tokens()
    data = await client.get("/cgi-bin/department/list")
    assert data["errcode"] == 0
    assert fake.gettoken_calls == 2


async def test_a_token_refused_twice_is_a_transient_error_not_a_loop(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    client = client_for(plain_resources, fake)
    fake.fail("/cgi-bin/department/list", 42001, times=5)
    with pytest.raises(WeComApiError) as caught:
        await client.get("/cgi-bin/department/list")
    assert caught.value.transient
    assert fake.gettoken_calls == 2
    assert len([c for c in fake.calls if c[0] == "/cgi-bin/department/list"]) == 2


async def test_a_wrong_secret_is_reported_once_with_the_setting_to_fix(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    client = client_for(plain_resources, fake, secret="wrong-secret-wrong-secret")
    with pytest.raises(WeComApiError) as caught:
        await client.get("/cgi-bin/department/list")
    assert caught.value.errcode == 40001 and not caught.value.transient
    assert "TIJI_WECOM_SECRET" in str(caught.value)
    assert fake.gettoken_calls == 1


async def test_rate_limit_backs_off_and_pauses_further_calls(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    client = client_for(plain_resources, fake)
    fake.fail("/cgi-bin/message/send", 45009)
    with pytest.raises(WeComApiError) as caught:
        await client.post("/cgi-bin/message/send", {})
    assert caught.value.transient and caught.value.retry_after == 60
    calls = len(fake.calls)
    with pytest.raises(WeComApiError) as again:
        await client.get("/cgi-bin/department/list")
    assert again.value.transient and 0 < (again.value.retry_after or 0) <= 60
    assert len(fake.calls) == calls  # paused: WeCom was not asked


async def test_system_busy_is_retried(plain_resources: Resources, fake: FakeWeCom) -> None:
    client = client_for(plain_resources, fake)
    fake.fail("/cgi-bin/department/list", -1, times=2)
    assert (await client.get("/cgi-bin/department/list"))["errcode"] == 0


async def test_too_many_concurrent_calls_is_transient(plain_resources: Resources, fake: FakeWeCom) -> None:
    client = client_for(plain_resources, fake)
    fake.fail("/cgi-bin/department/list", 45033)
    with pytest.raises(WeComApiError) as caught:
        await client.get("/cgi-bin/department/list")
    assert caught.value.transient and caught.value.retry_after


@pytest.mark.parametrize(
    ("errcode", "hint"),
    [(60020, "企业可信IP"), (43012, "接收消息"), (81013, "wecom_userid")],
)
async def test_admin_errors_name_what_to_fix(
    plain_resources: Resources, fake: FakeWeCom, errcode: int, hint: str
) -> None:
    client = client_for(plain_resources, fake)
    fake.fail("/cgi-bin/message/send", errcode)
    with pytest.raises(WeComApiError) as caught:
        await client.post("/cgi-bin/message/send", {})
    assert not caught.value.transient and hint in str(caught.value)


async def test_untrusted_ip(plain_resources: Resources, fake: FakeWeCom) -> None:
    fake.trusted_ip = False
    with pytest.raises(WeComApiError) as caught:
        await client_for(plain_resources, fake).get("/cgi-bin/department/list")
    assert caught.value.errcode == 60020 and "出口IP" in str(caught.value)


async def test_an_unreachable_api_is_transient_and_does_not_leak_the_token(
    plain_resources: Resources, redis: Redis
) -> None:
    client = WeComClient(http=plain_resources.http, redis=redis, base_url="http://127.0.0.1:9",
                         corp_id="ww1", secret="s")  # fmt: skip
    await redis.set(client.token_key, "SECRET-TOKEN")
    with pytest.raises(WeComApiError) as caught:
        await client.get("/cgi-bin/department/list")
    assert caught.value.transient and "SECRET-TOKEN" not in str(caught.value)


async def test_a_pause_set_by_another_process_stops_calls_within_the_shared_state_interval(
    plain_resources: Resources, fake: FakeWeCom
) -> None:
    client = client_for(plain_resources, fake)
    await client.get("/cgi-bin/department/list")
    other = client_for(plain_resources, fake)  # another worker meets WeCom's 45009
    fake.fail("/cgi-bin/message/send", 45009)
    with pytest.raises(WeComApiError):
        await other.post("/cgi-bin/message/send", {})
    await asyncio.sleep(client_module.SHARED_STATE_SECONDS)
    calls = len(fake.calls)
    with pytest.raises(WeComApiError) as paused:
        await client.get("/cgi-bin/department/list")
    assert paused.value.transient and len(fake.calls) == calls
