"""在办 / 逾期 for the office and leaders: the open matters of their scope, the least working time
left first, in a compact list capped for a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from tests.handlers.test_commands import CHINA, FORM, World, assert_refused, make_world


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


def form(subject: str) -> str:
    return FORM.replace("道路运输经营许可", subject)


async def four_matters(world: World) -> None:
    """Monday: 0001 运输管理股 and 0002 工程建设股 (decided 能办); Tuesday: 0003 行政审批股;
    Monday, another unit: 0004 路政股. 0005 is withdrawn. Then Friday 10:00."""
    await world.submit("zhangwei", form("客运班线延伸"))
    await world.submit("liqiang", form("农村公路施工许可"))
    await world.click("liudesheng", (await world.open_card("liudesheng"))["ref"], "can_do")
    world.clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA))
    await world.submit("sunlei", form("超限运输许可"))
    world.clock.set(dt.datetime(2026, 11, 30, 9, 30, tzinfo=CHINA))
    await world.submit("hubin", form("非公路标志设置"))
    await world.submit("zhangwei", form("已撤回的事项"))
    await world.say("zhangwei", "撤回 TJ-2026-0005 误报")
    world.clock.set(dt.datetime(2026, 12, 4, 10, 0, tzinfo=CHINA))


def numbers(message: str) -> list[str]:
    return [line.split(" ")[1] for line in message.splitlines() if line.startswith("- TJ-")]


async def test_the_office_sees_every_open_matter_the_least_time_left_first(world: World) -> None:
    await four_matters(world)
    reply = await world.say("zhouwenbin", "在办")
    assert reply.ok and reply.message.startswith("在办事项（全单位）共 4 件"), reply.message
    assert numbers(reply.message) == ["TJ-2026-0001", "TJ-2026-0002", "TJ-2026-0004", "TJ-2026-0003"]
    lines = reply.message.splitlines()
    assert (
        "- TJ-2026-0001 客运班线延伸｜运输管理股｜股室负责人 陈国庆｜已逾期 1.5 小时（期限 12-03 17:30）"
        in lines
    )
    assert (
        "- TJ-2026-0002 农村公路施工许可｜工程建设股｜能办，待 李强 回复申请人｜已逾期 1.5 小时（期限 12-03 17:30）"
        in lines
    )
    assert (
        "- TJ-2026-0003 超限运输许可｜行政审批股｜股室负责人 何晓燕｜剩 7.5 小时（期限 12-04 17:30）" in lines
    )
    assert "已撤回的事项" not in reply.message and "另有" not in reply.message


async def test_overdue_lists_only_the_matters_past_their_deadline(world: World) -> None:
    await four_matters(world)
    reply = await world.say("fengxue", "逾期")
    assert reply.message.startswith("逾期事项（全单位）共 3 件")
    assert numbers(reply.message) == ["TJ-2026-0001", "TJ-2026-0002", "TJ-2026-0004"]
    world.clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CHINA))
    assert "共 0 件" in (await world.say("fengxue", "overdue")).message


@pytest.mark.parametrize(
    ("handle", "scope", "expected"),
    [
        ("wangjianguo", "桐柏县交通运输局机关", ["TJ-2026-0001", "TJ-2026-0002", "TJ-2026-0003"]),  # his unit
        ("majianjun", "桐柏县公路事业发展中心", ["TJ-2026-0004"]),
        ("liminghua", "运输管理股、行政审批股、政策法规股", ["TJ-2026-0001", "TJ-2026-0003"]),  # his sections
        ("chenguoqing", "运输管理股", ["TJ-2026-0001"]),
    ],
)
async def test_a_leader_sees_the_units_and_sections_of_their_chains(
    world: World, handle: str, scope: str, expected: list[str]
) -> None:
    await four_matters(world)
    reply = await world.say(handle, "在办")
    assert reply.message.startswith(f"在办事项（{scope}）"), reply.message
    assert numbers(reply.message) == expected


async def test_a_deputy_also_sees_the_matters_naming_his_sections_as_co_departments(world: World) -> None:
    await world.submit("zhangwei", FORM + "\n协办股室：安全监督股")
    reply = await world.say("zhaozhiqiang", "在办")
    assert numbers(reply.message) == ["TJ-2026-0001"]


async def test_a_stand_in_sees_what_the_leader_they_act_for_sees(world: World) -> None:
    world.clock.set(dt.datetime(2027, 2, 2, 10, 0, tzinfo=CHINA))  # 赵志强 stands in for 李明华
    await world.submit("zhangwei")
    assert numbers((await world.say("zhaozhiqiang", "在办")).message) == ["TJ-2027-0001"]


async def test_ordinary_staff_are_told_where_to_look_instead(world: World) -> None:
    await world.submit()
    for command in ("在办", "逾期"):
        await assert_refused(world, "wangfang", command, "仅向办公室和各级领导提供", "我的")


async def test_a_long_list_is_capped_and_says_how_many_more(world: World) -> None:
    for index in range(17):
        await world.submit("zhangwei", form(f"事项{index:02d}"))
        world.clock.advance(dt.timedelta(minutes=1))
    reply = await world.say("zhouwenbin", "在办")
    assert "共 17 件" in reply.message and len(numbers(reply.message)) == 15
    assert "另有 2 件未列出" in reply.message
