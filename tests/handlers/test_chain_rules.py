"""The chain cannot be bypassed (issue 8, decision side), through the real router with the example
org and the clock moved as in each finding: nobody decides their own matter, a stand-in holds a
step only while their range lasts, a refusal needs its category and may be one sentence,
decisions are final once answered, a withdrawal needs a reason and is told, comments travel up,
and cards say where the matter is now."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.cards import Card
from bot.matters.holders import step_holder
from bot.runtime.resources import Resources
from models.enums import RefusalCategory, WithdrawReason
from models.matter import Addition, DecisionStep, Matter
from models.org import Person, StandIn
from tests.handlers.test_commands import FORM, World, assert_refused, make_world, snapshot

CHINA = dt.timezone(dt.timedelta(hours=8))
LAW = {"refusal_category": "law"}
CONSULTED = FORM + "\n协办股室：工程建设股"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def stand_in(leader: str, deputy: str, start: dt.date, end: dt.date) -> None:
    person, acting = await Person.get(handle=leader), await Person.get(handle=deputy)
    await StandIn.create(
        organisation_id=person.organisation_id, person=person, stand_in=acting, start_date=start, end_date=end
    )


def at(day: int, hour: int = 10, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CHINA)


async def pid(handle: str) -> int:
    return (await Person.get(handle=handle)).id


# --- finding 1: nobody decides a matter they submitted --------------------------------------------


async def test_a_submitter_standing_in_for_his_head_skips_to_the_deputy(world: World) -> None:
    await stand_in("chenguoqing", "zhangwei", dt.date(2026, 12, 1), dt.date(2026, 12, 4))
    world.clock.set(at(2))
    matter = await world.submit("zhangwei")
    assert matter.level == 3  # the head's level is skipped, as when a head submits
    assert [c for c in await world.cards("zhangwei")] == []
    card = await world.open_card("liminghua")
    assert Card.from_dict(card).value("level") == "分管领导 李明华"
    assert await DecisionStep.filter(matter_id=matter.id, level=2).count() == 0
    before = await snapshot()
    reply = await world.click("zhangwei", card["ref"], "can_do")
    assert reply.ok is False and "不能由您本人（包括以代理身份）审批" in reply.message
    assert await snapshot() == before


async def test_a_submitter_whose_stand_in_range_begins_later_never_holds_the_step(world: World) -> None:
    world.clock.set(at(1))
    matter = await world.submit("zhangwei")  # to 陈国庆, before 张伟 stands in for him
    card = await world.open_card("chenguoqing")
    await stand_in("chenguoqing", "zhangwei", dt.date(2026, 12, 2), dt.date(2026, 12, 4))
    world.clock.set(at(2))
    step = await DecisionStep.get(matter_id=matter.id)
    assert (await step_holder(step, world.clock.now(), tz=CHINA)).handle == "chenguoqing"
    todo = await world.say("zhangwei", "待办")
    assert matter.number not in todo.message
    before = await snapshot()
    assert (await world.click("zhangwei", card["ref"], "can_do")).ok is False
    assert await snapshot() == before


async def test_a_deputy_standing_in_for_the_other_consulted_deputy_does_not_settle_it_alone(
    world: World,
) -> None:
    world.clock.set(dt.datetime(2027, 2, 2, 10, 0, tzinfo=CHINA))  # 赵志强 stands in for 李明华
    matter = await world.submit(form=CONSULTED)
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    steps = await DecisionStep.filter(matter_id=matter.id, level=3).order_by("id")
    assert [(s.approver_id, s.on_behalf_of_id) for s in steps] == [
        (await pid("liminghua"), None),
        (await pid("zhaozhiqiang"), None),
    ]
    assert len([c for c in await world.cards("zhaozhiqiang") if not c["closed"]]) == 1
    lead_card = await world.open_card("liminghua")
    reply = await world.click("zhaozhiqiang", (await world.open_card("zhaozhiqiang"))["ref"], "can_do")
    assert reply.ok and "等待其他分管领导会商" in reply.message
    before = await snapshot()
    other = await world.click("zhaozhiqiang", lead_card["ref"], "can_do")
    assert other.ok is False and "由 李明华 审批" in other.message
    assert await snapshot() == before
    assert (await Matter.get(id=matter.id)).state == "pending"
    todo = await world.say("zhaozhiqiang", "待办")
    assert "没有待审批" in todo.message


# --- finding 2 (decision side): the holder is resolved at the time --------------------------------


async def test_a_stand_in_whose_range_ended_no_longer_holds_the_step(world: World) -> None:
    await stand_in("hexiaoyan", "sunlei", dt.date(2026, 12, 2), dt.date(2026, 12, 2))
    world.clock.set(at(2))
    matter = await world.submit("zhouting")  # 行政审批股: head 何晓燕, away today
    card = await world.open_card("sunlei")
    assert Card.from_dict(card).value("level") == "股室负责人 孙磊（代 何晓燕）"
    world.clock.set(at(3))
    step = await DecisionStep.get(matter_id=matter.id)
    assert (await step_holder(step, world.clock.now(), tz=CHINA)).handle == "hexiaoyan"
    before = await snapshot()
    late = await world.click("sunlei", card["ref"], "escalate")
    assert late.ok is False and "由 何晓燕 审批，您无权处理" in late.message
    assert await snapshot() == before
    assert matter.number not in (await world.say("sunlei", "待办")).message
    todo = await world.say("hexiaoyan", "待办")
    assert matter.number in todo.message
    own = await world.open_card("hexiaoyan")
    assert Card.from_dict(own).value("level") == "股室负责人 何晓燕"
    assert (await world.click("hexiaoyan", own["ref"], "can_do")).ok


async def test_a_stand_in_whose_range_begins_after_the_step_opened_holds_it_then(world: World) -> None:
    await stand_in("chenguoqing", "wangfang", dt.date(2026, 12, 14), dt.date(2026, 12, 18))
    world.clock.set(at(11))
    matter = await world.submit("zhangwei")
    step = await DecisionStep.get(matter_id=matter.id)
    assert (await step_holder(step, world.clock.now(), tz=CHINA)).handle == "chenguoqing"
    world.clock.set(at(16))
    assert (await step_holder(step, world.clock.now(), tz=CHINA)).handle == "wangfang"
    todo = await world.say("wangfang", "待办")
    assert matter.number in todo.message
    card = await world.open_card("wangfang")
    assert Card.from_dict(card).value("level") == "股室负责人 王芳（代 陈国庆）"
    assert (await world.click("wangfang", card["ref"], "escalate")).ok
    decided = await DecisionStep.get(id=step.id)
    assert decided.decided_by_id == await pid("wangfang")


# --- finding 6: a refusal needs its category -------------------------------------------------------


async def test_confirm_no_without_a_category_is_refused_and_the_chosen_one_is_recorded(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    before = await snapshot()
    bare = await world.click("wangjianguo", card["ref"], "confirm_no")
    assert bare.ok is False and "确认不能办须选择原因" in bare.message
    assert await snapshot() == before
    chosen = next(b for b in card["buttons"] if b.get("selected") == {"refusal_category": "conditions"})
    assert chosen["text"] == "确认不能办·客观条件"
    assert (await world.click("wangjianguo", card["ref"], chosen["key"], chosen["selected"])).ok
    await world.say("wangjianguo", "理由：场地未建成 建议：建成后再申请")
    assert (await Matter.get(id=matter.id)).refusal_category is RefusalCategory.CONDITIONS


# --- finding 10: a principal's natural sentence ----------------------------------------------------

SENTENCE = "因法律政策不允许，暂不能增加该经营范围；建议先办理专用停车场地备案后重新申请"


async def test_a_principals_natural_sentence_is_accepted(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", LAW)
    reply = await world.say("wangjianguo", SENTENCE)
    assert reply.ok and "已确认不能办" in reply.message
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.decision_text, matter.way_forward) == (
        "refused",
        "因法律政策不允许，暂不能增加该经营范围",
        "先办理专用停车场地备案后重新申请",
    )


async def test_a_missing_part_is_asked_for_alone(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", LAW)
    first = await world.say("wangjianguo", "因法律政策不允许，暂不能增加该经营范围")
    assert first.ok and first.message == f"{matter.number}：已记下理由。请再告诉我说“行”建议：怎样才能办成？"
    assert (await Matter.get(id=matter.id)).state == "pending"
    second = await world.say("wangjianguo", "先办理专用停车场地备案后重新申请")
    assert second.ok and "已确认不能办" in second.message
    matter = await Matter.get(id=matter.id)
    assert matter.way_forward == "先办理专用停车场地备案后重新申请"


# --- finding 7: decisions are final once the applicant is answered --------------------------------


async def test_a_refusal_cannot_be_rewritten_after_the_reply_only_added_to(world: World) -> None:
    world.clock.set(at(1))
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", LAW)
    await world.say("wangjianguo", "理由：不符合规定 建议：补齐材料后再申请")
    assert (await world.say("zhangwei", f"回复 {matter.number} 电话 已告知")).ok
    world.clock.set(at(3, 15, month=3).replace(year=2027))  # three months later
    reply = await world.say("wangjianguo", f"意见 {matter.number} 理由：另查无备案 建议：先备案")
    assert reply.ok and "原意见不再修改" in reply.message and "2027-03-03 15:00" in reply.message
    matter = await Matter.get(id=matter.id)
    assert (matter.decision_text, matter.way_forward) == ("不符合规定", "补齐材料后再申请")
    additions = await Addition.filter(matter_id=matter.id).order_by("id")
    assert [(a.kind, a.text) for a in additions] == [("reason", "另查无备案"), ("way_forward", "先备案")]
    timeline = (await world.say("zhangwei", f"查询 {matter.number}")).message
    assert "理由：不符合规定；说“行”建议：补齐材料后再申请" in timeline
    assert "2027-03-03 15:00 王建国 补充理由：另查无备案" in timeline
    assert "2027-03-03 15:00 王建国 补充说“行”建议：先备案" in timeline
    notices = await world.texts("zhangwei")
    assert any(
        "主要领导 王建国 于 2027-03-03 15:00 补充理由：另查无备案；补充说“行”建议：先备案" in t
        for t in notices
    )


async def test_a_comment_after_the_reply_is_an_addition(world: World) -> None:
    matter = await world.submit()
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    await world.say("chenguoqing", "请补齐营业执照")
    await world.say("zhangwei", f"回复 {matter.number} 电话 已告知")
    assert (await world.say("chenguoqing", f"意见 {matter.number} 另需身份证")).ok
    matter = await Matter.get(id=matter.id)
    assert matter.decision_text == "请补齐营业执照"
    step = await DecisionStep.get(matter_id=matter.id)
    assert step.comment == "请补齐营业执照"
    assert await Addition.filter(matter_id=matter.id, kind="comment", text="另需身份证").count() == 1


# --- finding 8: withdraw needs a reason, and is told -----------------------------------------------


async def test_withdraw_needs_a_reason(world: World) -> None:
    matter = await world.submit()
    await assert_refused(world, "zhangwei", f"撤回 {matter.number}", "撤回需要写明原因", "误报")
    await assert_refused(world, "zhangwei", f"撤回 {matter.number} 其他", "请写明其他原因")


@pytest.mark.parametrize(
    ("words", "reason", "note", "shown"),
    [
        ("申请人撤回申请", WithdrawReason.APPLICANT, "", "申请人撤回申请"),
        ("误报", WithdrawReason.MISREPORT, "", "误报"),
        ("申请人已自行到市局办理", WithdrawReason.OTHER, "申请人已自行到市局办理", "申请人已自行到市局办理"),
    ],
)
async def test_withdraw_tells_the_holder_and_the_section_head(
    world: World, words: str, reason: WithdrawReason, note: str, shown: str
) -> None:
    world.clock.set(at(1))
    matter = await world.submit()
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    world.clock.set(at(2))
    reply = await world.say("zhangwei", f"撤回 {matter.number} {words}")
    assert reply.ok and f"原因：{shown}" in reply.message
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.withdraw_reason, matter.withdraw_note) == ("withdrawn", reason, note)
    for handle in ("liminghua", "chenguoqing"):  # the level-3 holder, and the section head
        assert await world.last_text(handle) == (
            f"{matter.number}（道路运输经营许可）已由 张伟 撤回，原因：{shown}。无需再处理。"
        )
    assert (await world.cards("liminghua"))[-1]["closed"]
    timeline = (await world.say("zhangwei", f"查询 {matter.number}")).message
    assert f"已撤回（原因：{shown}）" in timeline
    # Nothing is owed afterwards, and a second withdrawal is answered sensibly.
    await assert_refused(world, "zhangwei", f"回复 {matter.number} 电话 已告知", "不能再登记回复")
    await assert_refused(world, "zhangwei", f"撤回 {matter.number} 误报", "已经撤回，无需再次撤回")


# --- finding 11: comments travel up ----------------------------------------------------------------


async def test_escalating_invites_a_comment_that_the_next_card_shows(world: World) -> None:
    matter = await world.submit()
    reply = await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    assert reply.ok and "如需补充研判意见" in reply.message
    assert (await world.say("chenguoqing", "材料基本齐全，建议分管领导协调场地")).ok
    card = await world.open_card("liminghua")
    assert "股室负责人 陈国庆：提级；研判意见：材料基本齐全，建议分管领导协调场地" in card["body"]
    # The deputy holding the open card may comment before deciding.
    before = await world.say("liminghua", f"意见 {matter.number} 需与工程建设股会商")
    assert before.ok and "已记录您的意见" in before.message
    await world.click("liminghua", card["ref"], "escalate")
    principal = await world.open_card("wangjianguo")
    assert "股室负责人 陈国庆：提级；研判意见：材料基本齐全，建议分管领导协调场地" in principal["body"]
    assert "分管领导 李明华：提级；研判意见：需与工程建设股会商" in principal["body"]
    # An earlier approver may still add to his comment; the open card shows it.
    assert (await world.say("chenguoqing", f"意见 {matter.number} 场地问题已上报")).ok
    assert "研判意见：场地问题已上报" in (await world.open_card("wangjianguo"))["body"]


# --- findings 12 and 13: cards stay true -----------------------------------------------------------


async def test_after_escalation_the_card_names_the_new_holder(world: World) -> None:
    matter = await world.submit(
        form=FORM + "\n清单编号：YS-02\n政策依据：《道路运输条例》\n协办股室：行政审批股"
    )
    head_card = await world.open_card("chenguoqing")
    assert Card.from_dict(head_card).value("level") == "股室负责人 陈国庆"
    await world.click("chenguoqing", head_card["ref"], "escalate")
    updated = Card.from_dict((await world.cards("chenguoqing"))[-1])
    assert updated.closed and updated.value("level") == "分管领导 李明华"
    for key, value in (
        ("catalog", "YS-02 道路货物运输经营许可"),
        ("co_departments", "行政审批股"),
        ("policy_basis", "《道路运输条例》"),
    ):
        assert updated.value(key) == value
    await world.click("liminghua", (await world.open_card("liminghua"))["ref"], "can_do")
    deputy = Card.from_dict((await world.cards("liminghua"))[-1])
    assert deputy.value("level") == "能办，待回复申请人"
    assert matter.number in deputy.title
