"""A photo or a file sent to the WeCom app: nothing is stored from chat, and the reply gives the
page to attach it on — the sender's latest open matter, or the form of a new one."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
import yaml

from bot.clock import SimClock
from bot.settings import Settings
from models.attachments import Attachment
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.bot.messengers.wecom.test_flow import FORM, STAFF, WeComWorld
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner, file_xml, image_xml
from tests.support.stack import EXAMPLE_ORG, running_stack

PUBLIC_URL = "https://tiji.example.gov.cn"


@pytest.fixture
async def world(
    settings: Settings, clock: SimClock, db: None, fake: FakeWeCom, signer: WeComSigner
) -> AsyncIterator[WeComWorld]:
    org = yaml.safe_load(EXAMPLE_ORG.read_text(encoding="utf-8"))
    for person in org["people"]:
        if person.get("wecom_userid"):
            fake.add_user(person["wecom_userid"], person["name"], str(person.get("phone", "")))
    configured = settings.model_copy(update={**wecom_fields(fake), "public_url": PUBLIC_URL})
    async with running_stack(configured, clock) as stack:
        await stack.import_org()
        yield WeComWorld(stack, fake, signer, clock, itertools.count(7100000000000000001))


async def send_photo(world: WeComWorld, userid: str) -> None:
    xml = image_xml(world.fake.corp_id, userid, media_id="2-G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0",
                    msg_id=str(next(world._ids)), create_time=world._ts(), agent_id=world.fake.agent_id)  # fmt: skip
    await world.deliver(xml)
    await world.stack.drain()


async def test_a_photo_with_no_open_matter_is_answered_with_the_form(world: WeComWorld) -> None:
    await send_photo(world, STAFF)
    reply = world.last_text(STAFF)
    assert "收到照片" in reply and f"{PUBLIC_URL}/m/signin?next=/m/new" in reply
    assert await Attachment.all().count() == 0


async def test_a_photo_is_answered_with_the_latest_open_matters_page(world: WeComWorld) -> None:
    await world.say(STAFF, FORM)
    await send_photo(world, STAFF)
    reply = world.last_text(STAFF)
    assert "TJ-2026-0001" in reply and f"{PUBLIC_URL}/m/signin?next=/m/matters/TJ-2026-0001" in reply
    assert "附件" in reply
    assert await Attachment.all().count() == 0


async def test_a_file_is_answered_too_and_a_redelivery_answers_once(world: WeComWorld) -> None:
    xml = file_xml(world.fake.corp_id, STAFF, media_id="1G6nrLmr5EC3MMb_-zK1dDdzmd0p7cNliYu9V5w7o8K0",
                   filename="营业执照.pdf", msg_id=str(next(world._ids)), create_time=world._ts(),
                   agent_id=world.fake.agent_id)  # fmt: skip
    await world.deliver(xml)
    await world.deliver(xml)
    await world.stack.drain()
    replies = [t for t in world.fake.texts_to(STAFF) if "收到文件" in t]
    assert len(replies) == 1 and f"{PUBLIC_URL}/m/signin?next=/m/new" in replies[0]
