"""Files to a person on WeCom: ``media/upload`` (type=file) then a ``file`` message, once per
delivery; a file over WeCom's 20 MB is refused before anything is uploaded."""

from __future__ import annotations

import pytest

from bot.messengers.wecom.messenger import WeComMessenger
from bot.messengers.wecom.parts import MAX_FILE_BYTES
from bot.outbound import Attachment, DeliveryError, Recipient
from tests.fakes.wecom_api import FakeWeCom

OFFICE = Recipient(person_id=1, user_id="office01", name="郑干事")
XLSX = Attachment("说不事项提级管理汇总表_2026Q4.xlsx", b"PK\x03\x04fake-xlsx")


@pytest.fixture(autouse=True)
def _users(fake: FakeWeCom) -> None:
    fake.add_user("office01", "郑干事")


async def test_a_file_is_uploaded_then_sent_to_the_person_once(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    await messenger.send_file(OFFICE, XLSX, dedupe_key="reply:e1:file")
    assert fake.files_to("office01") == [(XLSX.filename, XLSX.content)]
    await messenger.send_file(OFFICE, XLSX, dedupe_key="reply:e1:file")  # a retry of a delivered one
    assert len(fake.files_to("office01")) == 1 and len(fake.media) == 1


async def test_a_file_over_20_mb_is_refused_for_good_and_nothing_uploaded(
    messenger: WeComMessenger, fake: FakeWeCom
) -> None:
    big = Attachment("big.xlsx", b"P" * (MAX_FILE_BYTES + 1))
    with pytest.raises(DeliveryError) as caught:
        await messenger.send_file(OFFICE, big, dedupe_key="reply:e2:file")
    assert not caught.value.transient and "20 MB" in str(caught.value)
    assert fake.media == {} and fake.files_to("office01") == []
