"""Files to a person on DingTalk: ``/media/upload`` (type=file) then a ``sampleFile`` message;
a file over 20 MB is refused before anything is uploaded."""

from __future__ import annotations

import pytest

from bot.messengers.dingtalk.messenger import MAX_FILE_BYTES
from bot.outbound import Attachment, DeliveryError, Recipient
from bot.runtime.resources import Resources
from tests.bot.messengers.dingtalk.test_outbound import messenger
from tests.fakes.dingtalk_openapi import FakeDingTalk

OFFICE = Recipient(person_id=1, user_id="office01", name="郑干事")
XLSX = Attachment("说不事项提级管理汇总表_2026Q4.xlsx", b"PK\x03\x04fake-xlsx")


async def test_a_file_is_uploaded_then_sent_as_sample_file(
    dt_resources: Resources, fake: FakeDingTalk
) -> None:
    await messenger(dt_resources).send_file(OFFICE, XLSX, dedupe_key="reply:e1:file")
    assert fake.files_to("office01") == [(XLSX.filename, XLSX.content)]
    assert fake.texts_to("office01") == []


async def test_a_file_over_20_mb_is_refused_for_good(dt_resources: Resources, fake: FakeDingTalk) -> None:
    big = Attachment("big.xlsx", b"P" * (MAX_FILE_BYTES + 1))
    with pytest.raises(DeliveryError) as caught:
        await messenger(dt_resources).send_file(OFFICE, big, dedupe_key="reply:e2:file")
    assert not caught.value.transient and "20 MB" in str(caught.value)
    assert fake.uploads == []
