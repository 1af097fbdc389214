"""`汇总` in the simulator: the digest in the chat and the workbook as a downloadable file."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import openpyxl
import pytest

from bot.clock import SimClock
from bot.settings import Settings
from tests.bot.jobs.test_duties import at
from tests.handlers.test_flow_sim import FORM, inbox, say
from tests.support.stack import Stack, running_stack


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def test_the_digest_answer_comes_with_the_workbook_to_download(stack: Stack, clock: SimClock) -> None:
    clock.set(at(2026, 12, 1, 9, 0))
    await say(stack, "zhangwei", FORM)  # one matter, still pending at the quarter's end
    clock.set(at(2027, 1, 5, 10, 0))
    await say(stack, "zhouwenbin", "汇总 2026Q4")
    items = await inbox(stack, "zhouwenbin")
    digest = next(i for i in items if i["direction"] == "out" and "说“不”事项提级管理汇总" in i["text"])
    assert "**1** 件 = 能办 0 + 确认不能办 0 + 撤回 0 + 在办 1" in digest["text"]
    [file] = [i for i in items if i["kind"] == "file"]
    assert file["attachment"]["name"] == "说不事项提级管理汇总表_2026Q4.xlsx"
    response = await stack.client.get(file["attachment"]["url"])
    assert response.status == 200
    book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert book["事项明细"]["A5"].value == "TJ-2026-0001"
