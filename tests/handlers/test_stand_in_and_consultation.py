"""代理 (a stand-in decides while the leader is away) and 会商 (every consulted deputy answers)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.cards import Card
from bot.runtime.resources import Resources
from models.matter import DecisionStep, Matter
from models.org import Person
from tests.handlers.test_commands import FORM, World, make_world, snapshot

CHINA = dt.timezone(dt.timedelta(hours=8))
AWAY = dt.datetime(2027, 2, 2, 10, 0, tzinfo=CHINA)  # 李明华 away 2027-02-01..05, 赵志强 stands in
BACK = dt.datetime(2027, 2, 8, 10, 0, tzinfo=CHINA)


async def world_person(world: World, handle: str) -> int:
    return (await Person.get(handle=handle)).id


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


# --- 代理 -----------------------------------------------------------------------------------------------


async def test_cards_go_to_the_stand_in_and_show_both_names(world: World) -> None:
    world.clock.set(AWAY)
    matter = await world.submit("chenguoqing")  # a head's matter goes straight to deputy 李明华
    assert await world.cards("liminghua") == []
    card = await world.open_card("zhaozhiqiang")
    assert matter.number in card["title"]
    assert Card.from_dict(card).value("level") == "分管领导 赵志强（代 李明华）"
    step = await DecisionStep.get(matter_id=matter.id)
    assert (step.approver_id, step.on_behalf_of_id) == (
        (await world_person(world, "zhaozhiqiang")),
        (await world_person(world, "liminghua")),
    )
    submitted = await world.last_text("chenguoqing")
    assert "赵志强（代 李明华）" in submitted


async def test_the_stand_in_decides_and_the_record_shows_both(world: World) -> None:
    world.clock.set(AWAY)
    matter = await world.submit("chenguoqing")
    card = await world.open_card("zhaozhiqiang")
    reply = await world.click("zhaozhiqiang", card["ref"], "escalate")
    assert reply.ok and "王建国" in reply.message
    closed = (await world.cards("zhaozhiqiang"))[-1]
    assert closed["closed"] and "已提级至 主要领导 王建国" in closed["status"]
    principal = await world.open_card("wangjianguo")
    assert "分管领导 赵志强：提级" in principal["body"]
    timeline = (await world.say("chenguoqing", f"查询 {matter.number}")).message
    assert "送分管领导 赵志强（代 李明华）" in timeline and "赵志强：提级" in timeline
    # The leader away can still read it, and the stand-in too.
    assert (await world.say("liminghua", f"查询 {matter.number}")).ok
    assert (await world.say("zhaozhiqiang", f"查询 {matter.number}")).ok


async def test_the_leader_may_decide_a_step_given_to_the_stand_in(world: World) -> None:
    world.clock.set(AWAY)
    matter = await world.submit("chenguoqing")
    stand_in_card = await world.open_card("zhaozhiqiang")
    todo = await world.say("liminghua", "待办")
    assert todo.ok and matter.number in todo.message
    own_card = await world.open_card("liminghua")
    assert Card.from_dict(own_card).value("level") == "分管领导 赵志强（代 李明华）"
    assert (await world.click("liminghua", own_card["ref"], "can_do")).ok
    matter = await Matter.get(id=matter.id)
    assert matter.state == "resolved" and matter.decided_by_id == await world_person(world, "liminghua")
    # The stand-in's card is closed and says who handled it.
    again = await world.click("zhaozhiqiang", stand_in_card["ref"], "escalate")
    assert again.ok is False and "已由 李明华 于 2027-02-02 10:00 处理" in again.message
    timeline = (await world.say("chenguoqing", f"查询 {matter.number}")).message
    assert "送分管领导 赵志强（代 李明华）" in timeline and "李明华：能办" in timeline


async def test_a_stand_in_may_decide_a_step_opened_before_the_absence(world: World) -> None:
    world.clock.set(dt.datetime(2027, 1, 29, 9, 0, tzinfo=CHINA))  # Friday before the absence
    matter = await world.submit("chenguoqing")
    leader_card = await world.open_card("liminghua")
    # Before the range 赵志强 may not decide 李明华's step.
    before = await snapshot()
    world.clock.set(dt.datetime(2027, 1, 31, 9, 0, tzinfo=CHINA))
    await world.say("zhaozhiqiang", "待办")
    assert [c for c in await world.cards("zhaozhiqiang") if not c["closed"]] == []
    assert await snapshot() == before
    world.clock.set(AWAY)
    todo = await world.say("zhaozhiqiang", "待办")
    assert matter.number in todo.message
    card = await world.open_card("zhaozhiqiang")
    assert (await world.click("zhaozhiqiang", card["ref"], "can_do")).ok
    assert (await Matter.get(id=matter.id)).state == "resolved"
    assert (await world.cards("liminghua"))[-1]["ref"] == leader_card["ref"]
    assert (await world.cards("liminghua"))[-1]["closed"]


async def test_after_the_absence_cards_go_to_the_leader_again(world: World) -> None:
    world.clock.set(BACK)
    matter = await world.submit("chenguoqing")
    card = await world.open_card("liminghua")
    assert Card.from_dict(card).value("level") == "分管领导 李明华"
    assert [c for c in await world.cards("zhaozhiqiang") if matter.number in c["title"]] == []
    before = await snapshot()
    reply = await world.click("zhaozhiqiang", card["ref"], "can_do")
    assert reply.ok is False and "由 李明华 审批，您无权处理" in reply.message
    assert await snapshot() == before


# --- 会商 -----------------------------------------------------------------------------------------------

CONSULTED = FORM + "\n协办股室：工程建设股"


async def consulted(world: World) -> tuple[Matter, dict[str, str]]:
    """A 运输管理股 matter with 工程建设股 as co-department, escalated by the head to level 3."""
    matter = await world.submit(form=CONSULTED)
    reply = await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    assert reply.ok and "李明华、赵志强" in reply.message
    refs = {h: (await world.open_card(h))["ref"] for h in ("liminghua", "zhaozhiqiang")}
    return await Matter.get(id=matter.id), refs


async def test_every_consulted_deputy_gets_a_card(world: World) -> None:
    matter, _ = await consulted(world)
    assert matter.level == 3
    steps = await DecisionStep.filter(matter_id=matter.id, level=3).order_by("id")
    assert [s.lead for s in steps] == [True, False]
    assert "提级至分管领导 李明华、赵志强" in await world.last_text("zhangwei")


async def test_all_can_do_resolves_with_the_lead_deputys_comment(world: World) -> None:
    matter, refs = await consulted(world)
    first = await world.click("liminghua", refs["liminghua"], "can_do")
    assert first.ok and "等待其他分管领导会商" in first.message
    mine = (await world.cards("liminghua"))[-1]
    assert mine["closed"] and "等待其他分管领导会商" in mine["status"]
    assert not (await world.cards("zhaozhiqiang"))[-1]["closed"]
    assert (await Matter.get(id=matter.id)).state == "pending"
    # A second tap by the same deputy changes nothing.
    again = await world.click("liminghua", refs["liminghua"], "escalate")
    assert again.ok is False and "已由 李明华 于" in again.message
    assert (await world.say("liminghua", f"意见 {matter.number} 由运输管理股牵头办理")).ok
    last = await world.click("zhaozhiqiang", refs["zhaozhiqiang"], "can_do")
    assert last.ok and "已确认能办" in last.message
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.decided_level) == ("resolved", 3)
    assert matter.decision_text == "由运输管理股牵头办理"
    for handle in ("liminghua", "zhaozhiqiang"):
        assert (await world.cards(handle))[-1]["closed"]
    assert len([t for t in await world.texts("zhangwei") if "研判：能办" in t]) == 1


async def test_a_consulted_deputy_who_answers_first_can_comment_by_plain_text(world: World) -> None:
    matter, refs = await consulted(world)
    first = await world.click("liminghua", refs["liminghua"], "can_do")
    assert "如需补充研判意见，请直接回复文字" in first.message
    assert (await world.say("liminghua", "由运输管理股牵头，工程建设股配合")).ok
    assert (await world.click("zhaozhiqiang", refs["zhaozhiqiang"], "can_do")).ok
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.decision_text) == ("resolved", "由运输管理股牵头，工程建设股配合")
    lead = await DecisionStep.get(matter_id=matter.id, level=3, lead=True)
    assert lead.comment == "由运输管理股牵头，工程建设股配合"


@pytest.mark.parametrize("first", ["liminghua", "zhaozhiqiang"])
async def test_any_escalate_goes_to_the_principal(world: World, first: str) -> None:
    matter, refs = await consulted(world)
    second = "zhaozhiqiang" if first == "liminghua" else "liminghua"
    assert (await world.click(first, refs[first], "escalate")).ok
    assert (await Matter.get(id=matter.id)).level == 3
    assert await world.cards("wangjianguo") == []
    assert (await world.click(second, refs[second], "can_do")).ok
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.level) == ("pending", 4)
    card = await world.open_card("wangjianguo")
    assert "李明华" in card["body"] and "赵志强" in card["body"]
    for handle in ("liminghua", "zhaozhiqiang"):
        assert "已提级至 主要领导 王建国" in (await world.cards(handle))[-1]["status"]
    assert len([t for t in await world.texts("zhangwei") if "提级至主要领导" in t]) == 1


async def test_co_department_with_the_same_deputy_is_no_consultation(world: World) -> None:
    matter = await world.submit(form=FORM + "\n协办股室：行政审批股")
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    assert await DecisionStep.filter(matter_id=matter.id, level=3).count() == 1
    assert await world.cards("zhaozhiqiang") == []


async def test_withdraw_during_consultation_closes_every_card(world: World) -> None:
    matter, refs = await consulted(world)
    await world.click("liminghua", refs["liminghua"], "can_do")
    assert (await world.say("zhangwei", f"撤回 {matter.number} 申请人撤回申请")).ok
    steps = await DecisionStep.filter(matter_id=matter.id, level=3).order_by("id")
    assert [s.status for s in steps] == ["decided", "superseded"]
    assert (await world.cards("zhaozhiqiang"))[-1]["closed"]
    reply = await world.click("zhaozhiqiang", refs["zhaozhiqiang"], "can_do")
    assert reply.ok is False and "撤回" in reply.message
