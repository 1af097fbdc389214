"""The `汇总` answer on WeCom: the digest text, then the workbook as a file (uploaded with
``media/upload``), delivered once through the outbox."""

from __future__ import annotations

import io

import openpyxl

from bot.messengers.wecom import build_messenger
from bot.outbox.delivery import deliver
from bot.runtime.resources import Resources
from models.enums import Platform
from models.messaging import OutboxMessage
from tests.bot.messengers.wecom.conftest import wecom_fields
from tests.bot.reports.digest_reply import queued_digest_reply
from tests.fakes.wecom_api import FakeWeCom


async def test_the_digest_answer_carries_the_workbook_as_a_file(
    resources: Resources, fake: FakeWeCom
) -> None:
    resources.settings = resources.settings.model_copy(update=wecom_fields(fake))
    resources.messengers = {Platform.WECOM: build_messenger(resources)}
    fake.add_user("office", "郑干事")
    _, row = await queued_digest_reply(resources, "wecom", "office")
    assert await deliver({"resources": resources}, row.id) == "sent"
    [text] = fake.texts_to("office")
    assert "**10** 件 = 能办 3 + 确认不能办 2 + 撤回 3 + 在办 2" in text
    [(name, content)] = fake.files_to("office")
    assert name == "说不事项提级管理汇总表_2026Q4.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book["全局汇总"]["B9"].value == 10  # 合计 受理
    assert await deliver({"resources": resources}, row.id) == "skipped"  # once
    assert len(fake.files_to("office")) == 1
    assert (await OutboxMessage.get(id=row.id)).status == "sent"
