"""No configured secret reaches a log line: a whole WeCom flow (callbacks, cards, clicks, token
expiry, a forged callback, a contacts sync, a failing delivery) runs with every secret setting set
to a value of its own, every log record of every logger is captured at DEBUG and formatted as the
servers write it (``bot.logs.JsonFormatter``), and none of the values appears."""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml

from bot.clock import SimClock
from bot.logs import ContextFilter, JsonFormatter
from bot.messengers.wecom import sync_contacts
from bot.messengers.wecom.callback import PATH
from bot.settings import Settings
from models.matter import Matter
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner, card_event_xml, text_xml
from tests.support.stack import EXAMPLE_ORG, running_stack

FORM = "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全"
TOKEN = "TokSecretQ7w3"
AES_KEY = "AesSecretK9vLmN2pQ4rS6tU8wX0yZ1aB3cD5eF7gH9"  # 43 characters, as WeCom makes them
SECRETS = {
    "wecom_secret": "AppSecret-Zq81-unmistakable",
    "wecom_contacts_secret": "ContactsSecret-Xw62-unmistakable",
    "wecom_token": TOKEN,
    "wecom_aes_key": AES_KEY,
    "wecom_robot_key": "RobotKeySecret-Vu53",
    "dingtalk_client_secret": "DingClientSecret-Tr44",
    "dingtalk_robot_webhook": "https://oapi.dingtalk.com/robot/send?access_token=DingWebhookToken-Sp35",
    "dingtalk_robot_webhook_secret": "SECDingWebhookSecret-Ro26",
}
DATABASE_PASSWORD = "DbPassword-Qn17-unmistakable"


def test_every_secret_setting_is_in_this_test() -> None:
    words = ("secret", "token", "aes_key", "robot_key", "webhook", "password")
    secret_like = {name for name in Settings.model_fields if any(w in name for w in words)}
    assert secret_like == set(SECRETS), "a new secret setting: give it a value in SECRETS"


def with_password(url: str) -> str:
    """The PostgreSQL URL with a password (the test server trusts local connections and ignores it)."""
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgres", "asyncpg")) or not parts.username:
        return url
    return urlunsplit(
        parts._replace(netloc=f"{parts.username}:{DATABASE_PASSWORD}@{parts.hostname}:{parts.port}")
    )


@pytest.fixture
def captured() -> AsyncIterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream  # type: ignore[misc]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_whole_flow_logs_no_secret(
    settings: Settings, clock: SimClock, db: None, captured: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeWeCom(secret=SECRETS["wecom_secret"], contacts_secret=SECRETS["wecom_contacts_secret"],
                     now=lambda: clock.now().timestamp())  # fmt: skip
    await fake.start()
    org = yaml.safe_load(EXAMPLE_ORG.read_text(encoding="utf-8"))
    for person in org["people"]:
        if person.get("wecom_userid"):
            fake.add_user(person["wecom_userid"], person["name"], str(person.get("phone", "")))
    fake.chats |= {g["wecom_chat_id"] for g in org["groups"] if g.get("wecom_chat_id")}
    configured = settings.model_copy(
        update={
            **SECRETS, "simulator": False, "wecom_corp_id": fake.corp_id, "wecom_agent_id": fake.agent_id,
            "wecom_api_base": fake.base_url, "database_url": with_password(settings.effective_database_url),
        }
    )  # fmt: skip
    signer = WeComSigner(token=TOKEN, aes_key=AES_KEY, receive_id=fake.corp_id)
    ids = itertools.count(8000000000000000001)
    try:
        async with running_stack(configured, clock) as stack:
            await stack.import_org()

            async def deliver(xml: str) -> int:
                query, body = signer.envelope(xml, str(int(clock.now().timestamp())), fake.agent_id)
                return (await stack.client.post(PATH, params=query, data=body)).status

            def say(userid: str, text: str) -> str:
                return text_xml(fake.corp_id, userid, text, msg_id=str(next(ids)),
                                create_time=int(clock.now().timestamp()), agent_id=fake.agent_id)  # fmt: skip

            assert await deliver(say("Zhangwei", FORM)) == 200
            await stack.drain()
            card = fake.cards_to("Chenguoqing")[-1]
            fake.expire_tokens()
            click = card_event_xml(fake.corp_id, "Chenguoqing", task_id=card.card["task_id"], event_key="escalate",
                                   response_code=fake.click(card.card["task_id"]),
                                   create_time=int(clock.now().timestamp()), agent_id=fake.agent_id)  # fmt: skip
            assert await deliver(click) == 200
            await stack.drain()
            forged = await stack.client.post(
                PATH, params={"msg_signature": "0" * 40, "timestamp": "1", "nonce": "n"}
            )
            assert forged.status >= 400
            await sync_contacts(stack.resources, "tongbai-jt")
            fake.secret = "rotated-by-the-admin"  # the next token call fails: 40001, logged
            fake.expire_tokens()
            assert await deliver(say("Zhangwei", "待办")) == 200
            await stack.drain()
            assert (await Matter.get()).level == 3
    finally:
        await fake.close()

    # The fake WeCom API's own access log shows the platform's side of each call (gettoken carries
    # the secret in its query, as WeCom requires): that log is WeCom's, not tiji's.
    ours = [r for r in caplog.records if not (r.name == "aiohttp.access" and "/cgi-bin/" in r.getMessage())]
    formatter = JsonFormatter()
    logs = "\n".join(formatter.format(r) for r in ours) + "\n".join(
        line
        for line in captured.getvalue().splitlines()
        if "/cgi-bin/" not in line or "aiohttp.access" not in line
    )
    assert "wecom" in logs and len(logs) > 10_000  # the flow did log, at length
    leaked = {
        name: value
        for name, value in {**SECRETS, "database_password": DATABASE_PASSWORD}.items()
        if value in logs
    }
    assert leaked == {}
