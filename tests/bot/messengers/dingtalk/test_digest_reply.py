"""The `汇总` answer on DingTalk: the digest text, then the workbook (``/media/upload`` and a
``sampleFile`` message), delivered once through the outbox."""

from __future__ import annotations

import io

import openpyxl

from bot.messengers.dingtalk.messenger import DingTalkMessenger
from bot.outbox.delivery import deliver
from bot.runtime.resources import Resources
from models.enums import Platform
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.dingtalk.test_outbound import fast_client
from tests.bot.reports.digest_reply import queued_digest_reply
from tests.fakes.dingtalk_openapi import FakeDingTalk


async def test_the_digest_answer_carries_the_workbook_as_a_file(
    resources: Resources, fake: FakeDingTalk
) -> None:
    resources.settings = dingtalk_settings(resources.settings, fake)
    resources.messengers = {Platform.DINGTALK: DingTalkMessenger(resources, fast_client(resources))}
    _, row = await queued_digest_reply(resources, "dingtalk", "office01")
    assert await deliver({"resources": resources}, row.id) == "sent"
    [text] = fake.texts_to("office01")
    assert "**10** 件 = 能办 3 + 确认不能办 2 + 撤回 3 + 在办 2" in text
    [(name, content)] = fake.files_to("office01")
    assert name == "说不事项提级管理汇总表_2026Q4.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(content))["全局汇总"]["B9"].value == 10
