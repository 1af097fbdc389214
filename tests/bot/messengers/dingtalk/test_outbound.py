"""The OpenAPI client and the messenger against the fake DingTalk: token, limits, errors, cards, groups."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.cards import Button, Card, CardField
from bot.clock import SimClock
from bot.messengers.dingtalk import build_messenger
from bot.messengers.dingtalk import client as client_module
from bot.messengers.dingtalk.client import QPS_LIMIT, DingTalkClient
from bot.messengers.dingtalk.messenger import DingTalkMessenger
from bot.messengers.dingtalk.webhook import PER_MINUTE
from bot.outbound import Attachment, DeliveryError, GroupTarget, Recipient
from bot.runtime.locks import RedisLock
from bot.runtime.resources import Resources
from bot.settings import Settings
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.fakes.dingtalk_openapi import FakeDingTalk

HEAD = Recipient(person_id=2, user_id="head01", name="李科长")


def fast_client(resources: Resources) -> DingTalkClient:
    return DingTalkClient(resources, backoff_base=0.01)


def messenger(resources: Resources) -> DingTalkMessenger:
    return DingTalkMessenger(resources, fast_client(resources))


def card(**over: object) -> Card:
    values: dict[str, object] = {
        "ref": "ref-0001",
        "source": "提级",
        "title": "说“不”事项 TJ-2026-0001",
        "fields": (
            CardField("applicant", "服务对象", "张三"),
            CardField("matter", "事项", "道路运输经营许可"),
        ),
        "buttons": (Button("can_do", "能办"), Button("escalate", "提级")),
    }
    values.update(over)
    return Card(**values)  # type: ignore[arg-type]


# -- token -------------------------------------------------------------------------------------


async def test_token_is_fetched_once_and_shared_through_redis(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    first, second = fast_client(dt_resources), fast_client(dt_resources)  # two processes, one Redis
    tokens = await asyncio.gather(*(c.access_token() for c in (first, second, first, second)))
    assert len(set(tokens)) == 1
    assert fake.token_fetches == 1
    ttl = await dt_resources.redis.ttl(f"tiji:dingtalk:token:{fake.client_id}")
    assert 0 < ttl <= 7200 - 300


async def test_a_refresh_lock_held_by_another_process_is_left_alone(
    dt_resources: Resources, fake: FakeDingTalk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "TOKEN_WAIT_SECONDS", 0.2)
    stuck = RedisLock(dt_resources.redis, f"dingtalk:token:{fake.client_id}", ttl=30)
    assert await stuck.acquire()  # a process that hangs mid-fetch
    token = await fast_client(dt_resources).access_token()  # waits a while, then fetches itself
    assert token and fake.token_fetches == 1
    assert await stuck.owned()  # its lock was not deleted under it


async def test_expired_token_is_refreshed_once_and_the_call_succeeds(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    m = messenger(dt_resources)
    await m.send_text(HEAD, "第一条", markdown=False, dedupe_key="k1")
    fake.expire_tokens()
    await m.send_text(HEAD, "第二条", markdown=False, dedupe_key="k2")
    assert fake.texts_to("head01") == ["第一条", "第二条"]
    assert fake.token_fetches == 2


async def test_wrong_secret_names_the_settings(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.client_secret = "rotated"
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_text(HEAD, "x", markdown=False, dedupe_key="k")
    assert "TIJI_DINGTALK_CLIENT_SECRET" in str(err.value) and not err.value.transient


# -- limits and errors -------------------------------------------------------------------------


async def test_throttled_call_is_retried_with_backoff(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.throttle["/v1.0/robot/oToMessages/batchSend"] = 2
    await messenger(dt_resources).send_text(HEAD, "你好", markdown=False, dedupe_key="k")
    assert fake.texts_to("head01") == ["你好"]
    assert fake.calls.count(("POST", "/v1.0/robot/oToMessages/batchSend")) == 3


async def test_persistent_throttling_is_a_transient_error(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    fake.throttle["/v1.0/robot/oToMessages/batchSend"] = 100
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_text(HEAD, "你好", markdown=False, dedupe_key="k")
    assert err.value.transient and err.value.retry_after
    assert fake.texts == []


async def test_legacy_throttling_code_90018_is_retried(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.throttle["/topapi/v2/department/listsub"] = 1
    data = await fast_client(dt_resources).oapi("/topapi/v2/department/listsub", {"dept_id": 1}, scope="x")
    assert data["errcode"] == 0


async def test_missing_permission_names_the_scope(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.deny["/v1.0/card/instances/createAndDeliver"] = "Card.Instance.Write"
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_card(HEAD, card(), dedupe_key="k")
    assert "Card.Instance.Write" in str(err.value) and not err.value.transient


async def test_qps_limit_spreads_calls_over_seconds(dt_resources: Resources, fake: FakeDingTalk) -> None:
    client = fast_client(dt_resources)
    await client.access_token()
    await asyncio.gather(
        *(client.api("POST", "/v1.0/card/callbacks/register", {}, scope="x") for _ in range(QPS_LIMIT + 5))
    )
    # 25 calls at 20 a second: at least 5 had to wait for the next second's budget
    second_keys = await dt_resources.redis.keys("tiji:dingtalk:qps:*/v1.0/card/callbacks/register:*")
    assert len(second_keys) >= 2
    counts = sorted([int(await dt_resources.redis.get(k) or 0) for k in second_keys])
    assert counts[-1] > QPS_LIMIT  # the first second was oversubscribed, and the excess waited
    assert len(fake.registered_callbacks) == QPS_LIMIT + 5


# -- 1:1 texts ---------------------------------------------------------------------------------


async def test_markdown_text_uses_sample_markdown(dt_resources: Resources, fake: FakeDingTalk) -> None:
    await messenger(dt_resources).send_text(HEAD, "## 待办\n- TJ-2026-0001", markdown=True, dedupe_key="k")
    call = fake.texts[0]
    assert call["msgKey"] == "sampleMarkdown" and call["robotCode"] == fake.client_id
    assert json.loads(call["msgParam"]) == {"title": "待办", "text": "## 待办\n- TJ-2026-0001"}


async def test_invalid_user_id_is_a_permanent_error_naming_the_fix(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    fake.invalid_staff.add("head01")
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_text(HEAD, "x", markdown=False, dedupe_key="k")
    assert "dingtalk_userid" in str(err.value) and not err.value.transient


# -- cards -------------------------------------------------------------------------------------


async def test_card_delivered_to_the_robot_chat_and_updated_by_key(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    m = messenger(dt_resources)
    delivery = await m.send_card(HEAD, card(), dedupe_key="k")
    assert delivery.state["out_track_id"] == "ref-0001" and delivery.state["space"] == "IM_ROBOT.head01"
    sent = fake.cards["ref-0001"]
    assert sent.space == "IM_ROBOT.head01" and sent.callback_type == "STREAM"
    assert sent.view().title == "说“不”事项 TJ-2026-0001"
    assert [b.text for b in sent.view().buttons] == ["能办", "提级"]
    assert m.card_updatable(delivery.state, dt_resources.clock.now())

    closed = card(closed=True, buttons=(), status="已提级至 分管领导 王某")
    await m.update_card(HEAD, closed, state=delivery.state, dedupe_key="u")
    update = fake.card_updates[-1]
    assert update["cardUpdateOptions"] == {"updateCardDataByKey": True, "updatePrivateDataByKey": True}
    assert sent.view().buttons == [] and sent.view().field("状态") == "已提级至 分管领导 王某"
    assert sent.view().field("服务对象") == "张三"  # sent again with the update


async def test_card_retry_after_lost_answer_updates_instead_of_failing(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    m = messenger(dt_resources)
    await m.send_card(HEAD, card(), dedupe_key="k")
    again = await m.send_card(HEAD, card(status="待处理（重发）"), dedupe_key="k")
    assert again.state["out_track_id"] == "ref-0001"
    assert fake.cards["ref-0001"].data["status_text"] == "待处理（重发）"


async def test_undelivered_card_is_an_error_despite_http_200(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    fake.undeliverable.add("head01")
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_card(HEAD, card(), dedupe_key="k")
    assert "用户不在机器人可见范围" in str(err.value)


async def test_unknown_template_names_the_setting(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.template_id = "another.schema"
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).send_card(HEAD, card(), dedupe_key="k")
    assert "TIJI_DINGTALK_CARD_TEMPLATE_ID" in str(err.value) and not err.value.transient


async def test_group_card_space(dt_resources: Resources, fake: FakeDingTalk) -> None:
    await messenger(dt_resources).deliver_card(card(), "IM_GROUP.cidOffice==")
    assert fake.cards["ref-0001"].space == "IM_GROUP.cidOffice=="


async def test_http_mode_cards_use_the_registered_callback_route(
    plain_settings: Settings, clock: SimClock, redis: Redis, fake: FakeDingTalk
) -> None:
    async with aiohttp.ClientSession() as http:
        resources = Resources(
            dingtalk_settings(plain_settings, fake, dingtalk_mode="http"), clock, redis, http
        )
        await messenger(resources).send_card(HEAD, card(), dedupe_key="k")
    assert fake.cards["ref-0001"].callback_type == "HTTP"


async def test_build_messenger_is_a_messenger(dt_resources: Resources) -> None:
    from bot.outbound import Messenger

    assert isinstance(build_messenger(dt_resources), Messenger)


# -- groups ------------------------------------------------------------------------------------


async def test_group_digest_with_the_summary_file(dt_resources: Resources, fake: FakeDingTalk) -> None:
    group = GroupTarget(group_id=1, code="office", name="活动办公室", chat_id="cidOffice==")
    xlsx = Attachment("汇总表-2026Q3.xlsx", b"PK\x03\x04fake")
    await messenger(dt_resources).post_to_group(
        group, "## 2026Q3 汇总\n共 3 件", attachment=xlsx, dedupe_key="g"
    )
    kinds = [m["msgKey"] for m in fake.group_messages]
    assert kinds == ["sampleMarkdown", "sampleFile"]
    assert fake.group_messages[0]["param"]["title"] == "2026Q3 汇总"
    assert fake.uploads == [("汇总表-2026Q3.xlsx", b"PK\x03\x04fake")]
    assert fake.group_messages[1]["param"] == {
        "mediaId": "@media1",
        "fileName": "汇总表-2026Q3.xlsx",
        "fileType": "xlsx",
    }


async def test_group_webhook_is_signed(dt_resources: Resources, fake: FakeDingTalk) -> None:
    fake.webhook_secret = "SECwebhook"
    group = GroupTarget(1, "unit", "局属单位群", webhook=f"{fake.base_url}/robot/send?access_token={fake.webhook_token}",
                        webhook_secret="SECwebhook")  # fmt: skip
    await messenger(dt_resources).post_to_group(
        group, "### 提醒\n有 1 件逾期", attachment=None, dedupe_key="g"
    )
    assert fake.webhook_messages[0]["markdown"]["text"] == "### 提醒\n有 1 件逾期"


async def test_group_webhook_with_a_wrong_secret_is_permanent(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    fake.webhook_secret = "SECright"
    group = GroupTarget(1, "unit", "群", webhook=fake.webhook_token, webhook_secret="SECwrong")
    settings = dt_resources.settings.model_copy(update={"dingtalk_oapi_base": fake.base_url})
    dt_resources.settings = settings
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).post_to_group(group, "x", attachment=None, dedupe_key="g")
    assert "dingtalk_webhook_secret" in str(err.value) and not err.value.transient


async def test_group_webhook_budget_is_twenty_a_minute(dt_resources: Resources, fake: FakeDingTalk) -> None:
    group = GroupTarget(1, "unit", "群", webhook=fake.webhook_token)
    m = messenger(dt_resources)
    for i in range(PER_MINUTE):
        await m.post_to_group(group, f"第{i}条", attachment=None, dedupe_key=f"g{i}")
    with pytest.raises(DeliveryError) as err:
        await m.post_to_group(group, "超出", attachment=None, dedupe_key="over")
    assert err.value.transient and err.value.retry_after is not None and 0 < err.value.retry_after <= 60
    assert len(fake.webhook_messages) == PER_MINUTE


async def test_group_without_any_address_names_the_org_fields(dt_resources: Resources) -> None:
    with pytest.raises(DeliveryError) as err:
        await messenger(dt_resources).post_to_group(
            GroupTarget(1, "x", "某群"), "x", attachment=None, dedupe_key="g"
        )
    assert "dingtalk_conversation_id" in str(err.value) and not err.value.transient
