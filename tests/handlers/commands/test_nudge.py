"""催办 编号: the submitter nudges whoever holds the open step, at most once per 2 working hours per
matter; each nudge is in the timeline and the audit; after the decision there is no step to nudge."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.audit import verify_chain
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.enums import RefusalCategory
from tests.handlers.test_commands import CHINA, FORM, World, assert_refused, make_world


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11 if day > 20 else 12, day, hour, minute, tzinfo=CHINA)


async def test_the_status_message_says_how_to_nudge(world: World) -> None:
    matter = await world.submit()
    assert f"催办 {matter.number}" in await world.last_text("zhangwei")
    assert f"催办 {matter.number}" in (await world.say("zhangwei", f"查询 {matter.number}")).message


async def test_a_nudge_reaches_the_holder_and_the_next_waits_two_working_hours(world: World) -> None:
    matter = await world.submit()  # Monday 09:00, to section head 陈国庆
    world.clock.set(at(30, 9, 30))
    reply = await world.say("zhangwei", f"催办 {matter.number}")
    assert reply.ok, reply.message
    assert (
        "已向股室负责人 陈国庆 催办" in reply.message and "下次可催办时间：2026-11-30 11:30" in reply.message
    )
    nudge = await world.last_text("chenguoqing")
    assert nudge.startswith("【催办】张伟催办说“不”事项 TJ-2026-0001") and "已等候 0.5 小时" in nudge
    assert "待办" in nudge and "2026-12-03 17:30" in nudge

    world.clock.set(at(30, 11, 0))
    await assert_refused(
        world, "zhangwei", f"催办 {matter.number}",
        "您已于 2026-11-30 09:30 催办过", "每 2 个工作小时可催办一次", "下次可催办时间：2026-11-30 11:30",
    )  # fmt: skip
    world.clock.set(at(30, 11, 30))
    assert (await world.say("zhangwei", f"nudge {matter.number}")).ok
    assert len([t for t in await world.texts("chenguoqing") if t.startswith("【催办】")]) == 2

    timeline = (await world.say("zhangwei", f"查询 {matter.number}")).message
    assert "2026-11-30 09:30 张伟 催办 陈国庆" in timeline and "2026-11-30 11:30 张伟 催办 陈国庆" in timeline
    nudges = await AuditEntry.filter(action="nudge", subject=matter.number).order_by("seq")
    assert [n.actor for n in nudges] == ["zhangwei", "zhangwei"]
    assert (await verify_chain(matter.organisation_id)).ok


async def test_two_working_hours_skip_the_night_and_the_weekend(world: World) -> None:
    world.clock.set(at(4, 16, 0))  # Friday
    matter = await world.submit()
    world.clock.set(at(4, 17, 0))
    assert (await world.say("zhangwei", f"催办 {matter.number}")).ok
    world.clock.set(at(5, 10, 0))  # Saturday: no working hour has passed
    await assert_refused(world, "zhangwei", f"催办 {matter.number}", "下次可催办时间：2026-12-07 10:00")
    world.clock.set(at(7, 10, 0))  # Monday: 0.5 h on Friday + 1.5 h this morning
    assert (await world.say("zhangwei", f"催办 {matter.number}")).ok


async def test_only_the_submitter_may_nudge(world: World) -> None:
    matter = await world.submit()
    await assert_refused(world, "wangfang", f"催办 {matter.number}", "不是您提交的事项", "只有提交人可以催办")
    await assert_refused(world, "zhangwei", "催办", "缺少事项编号", "催办 编号")
    await assert_refused(world, "zhangwei", "催办 TJ-2026-0099", "没有编号为 TJ-2026-0099 的事项")


async def test_every_deputy_of_a_consultation_is_nudged(world: World) -> None:
    matter = await world.submit(form=FORM + "\n协办股室：工程建设股")
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    reply = await world.say("zhangwei", f"催办 {matter.number}")
    assert "已向分管领导 李明华、赵志强 催办" in reply.message, reply.message
    for deputy in ("liminghua", "zhaozhiqiang"):
        assert (await world.last_text(deputy)).startswith("【催办】"), deputy


async def test_a_stand_in_holding_the_step_is_nudged_and_named_for_whom(world: World) -> None:
    world.clock.set(dt.datetime(2027, 2, 2, 10, 0, tzinfo=CHINA))  # 赵志强 stands in for 李明华
    matter = await world.submit("chenguoqing")  # the section head submits: straight to the deputy
    world.clock.set(dt.datetime(2027, 2, 2, 11, 0, tzinfo=CHINA))
    reply = await world.say("chenguoqing", f"催办 {matter.number}")
    assert "赵志强（代 李明华）" in reply.message, reply.message
    nudge = await world.last_text("zhaozhiqiang")
    assert "在您处（分管领导，代 李明华）已等候 1 小时" in nudge


async def test_a_principal_owing_the_refusal_words_is_asked_for_them(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": RefusalCategory.LAW})
    assert (await world.say("zhangwei", f"催办 {matter.number}")).ok
    assert f"意见 {matter.number} 理由：… 建议：…" in await world.last_text("wangjianguo")


async def test_after_the_decision_there_is_no_step_and_the_reply_is_the_submitters(world: World) -> None:
    matter = await world.submit()
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    message = await assert_refused(
        world, "zhangwei", f"催办 {matter.number}",
        "已由 陈国庆 于 2026-11-30 09:00 决定：能办", "没有待审批的环节",
        "请于 2026-12-03 17:30 前电话或书面告知申请人", f"回复 {matter.number} 电话|书面 内容",
    )  # fmt: skip
    assert "已催办" not in message
    world.clock.set(at(4, 9, 0))  # past the deadline: no date in the past to meet
    await assert_refused(world, "zhangwei", f"催办 {matter.number}", "回复期限 2026-12-03 17:30 已过，请尽快")
    await world.say("zhangwei", f"回复 {matter.number} 电话 已告知")
    await assert_refused(world, "zhangwei", f"催办 {matter.number}", "已办结，无需催办")


async def test_a_withdrawn_matter_needs_no_nudge(world: World) -> None:
    matter = await world.submit()
    await world.say("zhangwei", f"撤回 {matter.number} 申请人撤回申请")
    await assert_refused(world, "zhangwei", f"催办 {matter.number}", "已撤回，无需催办")
