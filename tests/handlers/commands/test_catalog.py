"""清单 by section: full names, codes, parts and abbreviations; an unknown name lists the valid ones."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from tests.handlers.test_commands import World, assert_refused, make_world


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def test_an_unknown_section_name_lists_the_valid_names(world: World) -> None:
    message = await assert_refused(world, "wangfang", "清单 宣传股", "没有名为“宣传股”的股室")
    for name in (
        "办公室（bgs）",
        "运输管理股（ysk）",
        "行政审批股（xzsp）",
        "养护股（gl-yhg）",
        "执法一中队（zf-zd1）",
    ):
        assert name in message, name


@pytest.mark.parametrize("name", ["运管", "运输管理股", "YSK", "运输"])
async def test_a_section_by_abbreviation_name_or_code(world: World, name: str) -> None:
    reply = await world.say("wangfang", f"清单 {name}")
    assert reply.ok and "【运输管理股】" in reply.message and "YS-01" in reply.message, reply.message
    assert "【行政审批股】" not in reply.message
