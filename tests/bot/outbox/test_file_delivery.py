"""A text with a file: the text goes once even when the file needs a retry; a file that cannot be
sent fails the row and the office is told, like any other delivery failure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from arq import Retry
from tortoise.transactions import in_transaction

from bot.outbound import Attachment, DeliveryError, Recipient
from bot.outbox.batch import OutboxBatch
from bot.outbox.delivery import deliver
from bot.runtime.resources import Resources
from models.messaging import OutboxMessage
from models.org import GroupChannel, Organisation, Person
from tests.bot.outbox.test_delivery import RecordingMessenger

XLSX = Attachment("汇总表.xlsx", b"PK\x03\x04fake")


class FileMessenger(RecordingMessenger):
    def __init__(self) -> None:
        super().__init__()
        self.files: list[tuple[str, str]] = []
        self.file_fail: DeliveryError | None = None

    async def send_file(self, to: Recipient, attachment: Attachment, *, dedupe_key: str) -> None:
        if self.file_fail:
            raise self.file_fail
        self.files.append((to.user_id, attachment.filename))


@pytest.fixture
async def world(resources: Resources) -> dict[str, Any]:
    org = await Organisation.create(code="t", name="测试局")
    person = await Person.create(organisation=org, handle="zhang", name="张三", roles=["office"])
    await GroupChannel.create(organisation=org, code="office", name="办公室群", kind="office")
    return {"org": org, "person": person}


async def queue(resources: Resources, w: dict[str, Any]) -> OutboxMessage:
    messenger = FileMessenger()
    resources.messengers = {"simulator": messenger}  # type: ignore[dict-item]
    w["messenger"] = messenger
    batch = OutboxBatch(resources.settings, w["org"], resources.clock.now())
    async with in_transaction():
        await batch.text(w["person"], "季度汇总", dedupe_key="reply:1", attachment=XLSX)
    return await OutboxMessage.get(dedupe_key="reply:1")


async def test_a_retried_file_does_not_send_the_text_again(
    resources: Resources, world: dict[str, Any]
) -> None:
    row = await queue(resources, world)
    world["messenger"].file_fail = DeliveryError("上传超时", transient=True, retry_after=1)
    with pytest.raises(Retry):
        await deliver({"resources": resources}, row.id)
    world["messenger"].file_fail = None
    resources.clock.advance(dt.timedelta(seconds=2))  # type: ignore[attr-defined]
    assert await deliver({"resources": resources}, row.id) == "sent"
    assert world["messenger"].texts == [("zhang", "季度汇总")]
    assert world["messenger"].files == [("zhang", "汇总表.xlsx")]


async def test_a_file_that_cannot_be_sent_is_shown_to_the_office(
    resources: Resources, world: dict[str, Any]
) -> None:
    row = await queue(resources, world)
    world["messenger"].file_fail = DeliveryError("文件超出企业微信文件大小限制", transient=False)
    assert await deliver({"resources": resources}, row.id) == "failed"
    alert = await OutboxMessage.get(dedupe_key=f"alert:delivery_failed:{row.id}")
    assert "消息（附文件）" in str(alert.payload["markdown"]) and "大小限制" in str(alert.payload["markdown"])
