"""Every chat command through the router (inbox, one transaction, outbox), with the example org.

Each bad input must get a clear Chinese reply AND leave the database as it was: the snapshot of
matters, steps, replies, audit rows, cards and prompts is compared before and after.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.audit import verify_chain
from bot.cards import Card
from bot.clock import SimClock
from bot.events import CardAction, Reply, Sender, TextMessage
from bot.matters.access import may_view
from bot.runtime.resources import Resources
from handlers.dispatch import DUPLICATE
from handlers.router import Router
from models.audit import AuditEntry
from models.cards import CardInstance
from models.catalog import CatalogItem
from models.enums import RefusalCategory
from models.matter import DecisionStep, Matter, ReplyRecord, TextPrompt
from models.messaging import InboxEntry, OutboxMessage
from models.org import Department, Organisation, Person
from tests.support.stack import EXAMPLE_ORG

CHINA = dt.timezone(dt.timedelta(hours=8))
FORM = "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全"


@dataclass
class World:
    """The example org behind a router; texts and cards are read from the outbox as sent."""

    resources: Resources
    router: Router
    clock: SimClock

    async def say(self, handle: str, text: str, *, key: str | None = None) -> Reply:
        event = TextMessage(Sender("simulator", handle), text, key or f"test:msg:{uuid.uuid4().hex}")
        return await self.router.handle(event)

    async def click(
        self,
        handle: str,
        ref: str,
        key: str,
        selected: dict[str, str] | None = None,
        *,
        dedupe: str | None = None,
    ) -> Reply:
        event = CardAction(
            Sender("simulator", handle), ref, key, dedupe or f"test:click:{uuid.uuid4().hex}", selected or {}
        )
        return await self.router.handle(event)

    async def texts(self, handle: str) -> list[str]:
        person = await Person.get(handle=handle)
        rows = await OutboxMessage.filter(person_id=person.id, kind="text").order_by("id")
        return [str(r.payload["text"]) for r in rows]

    async def last_text(self, handle: str) -> str:
        texts = await self.texts(handle)
        assert texts, f"{handle} got no text"
        return texts[-1]

    async def cards(self, handle: str) -> list[dict[str, Any]]:
        """Each card ``handle`` was sent, as last shown (a card_update replaces the card), oldest first."""
        person = await Person.get(handle=handle)
        rows = await OutboxMessage.filter(person_id=person.id, kind__in=["card", "card_update"]).order_by(
            "id"
        )
        latest: dict[str, dict[str, Any]] = {}
        for row in rows:
            card: dict[str, Any] = row.payload["card"]  # type: ignore[assignment]
            latest[card["ref"]] = card
        return list(latest.values())

    async def open_card(self, handle: str) -> dict[str, Any]:
        cards = [c for c in await self.cards(handle) if not c["closed"]]
        assert cards, f"{handle} has no open card"
        return cards[-1]

    async def submit(self, handle: str = "zhangwei", form: str = FORM) -> Matter:
        before = await Matter.all().count()
        reply = await self.say(handle, form)
        assert reply.ok, reply.message
        assert await Matter.all().count() == before + 1
        matter = await Matter.all().order_by("-id").first()
        assert matter is not None and matter.number in reply.message
        return matter

    async def escalate_to_principal(self, matter: Matter) -> dict[str, Any]:
        for handle in ("chenguoqing", "liminghua"):
            assert (await self.click(handle, (await self.open_card(handle))["ref"], "escalate")).ok
        card = await self.open_card("wangjianguo")
        assert matter.number in card["title"]
        return card


async def make_world(resources: Resources) -> World:
    from bot.org import import_org

    text = await asyncio.to_thread(EXAMPLE_ORG.read_text, encoding="utf-8")
    await import_org(text, source=str(EXAMPLE_ORG))
    assert isinstance(resources.clock, SimClock)
    return World(resources, Router(resources), resources.clock)


async def snapshot() -> dict[str, object]:
    """Everything a bad input must not touch (the inbox key and the error reply are expected)."""
    return {
        "counts": {
            model.__name__: await model.all().count()
            for model in (Matter, DecisionStep, ReplyRecord, AuditEntry, CardInstance, TextPrompt)
        },
        "matters": [
            (m.number, m.state, m.level, m.version, m.decision_text, m.way_forward, m.refusal_category)
            for m in await Matter.all().order_by("id")
        ],
        "steps": [
            (s.id, s.status, s.decision, s.decided_by_id, s.comment, s.refusal_category)
            for s in await DecisionStep.all().order_by("id")
        ],
        "prompts": [(p.id, p.answered_at) for p in await TextPrompt.all().order_by("id")],
    }


async def assert_refused(world: World, handle: str, text: str, *expected: str) -> str:
    """``text`` from ``handle`` is refused with a message containing ``expected``; nothing changed."""
    before = await snapshot()
    outbox_before = await OutboxMessage.all().count()
    reply = await world.say(handle, text)
    assert reply.ok is False, reply.message
    for part in expected:
        assert part in reply.message, (part, reply.message)
    assert await snapshot() == before
    # The reply itself reaches the sender, and nothing else was queued.
    assert await OutboxMessage.all().count() == outbox_before + 1
    assert await world.last_text(handle) == reply.message
    return reply.message


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


# --- 说不 / 提级 --------------------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["说不", "提级", "submit", "SUBMIT", "/说不", "  说不  ", "说不："])
async def test_submit_without_body_replies_the_form_template(world: World, word: str) -> None:
    before = await snapshot()
    reply = await world.say("zhangwei", word)
    assert reply.ok
    assert "审批表" in reply.message
    for label in (
        "服务对象：",
        "联系电话：",
        "事项：",
        "拟说不理由：",
        "诉求：",
        "政策依据：",
        "清单编号：",
        "协办股室：",
    ):
        assert label in reply.message
    assert await snapshot() == before
    assert await world.last_text("zhangwei") == reply.message


FORM_VARIANTS = {
    "full-width colons": FORM,
    "half-width colons": "说不\n服务对象:张三\n联系电话:13800000000\n事项:道路运输经营许可\n拟说不理由:材料不全",
    "blank lines and stray spaces": "  说不 \n\n 服务对象 ：  张三 \n\n\n联系电话： 138 0000 0000\n  事项 :道路运输经营许可\n\n拟说不理由：  材料不全  \n\n",
    "ideographic spaces": "说不\n\u3000服务对象\u3000：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全",
    "windows line ends": FORM.replace("\n", "\r\n"),
    "first field on the command line": "提级 服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全",
    "colon after the command": "说不：\n服务对象：张三\n联系电话：+86 138-0000-0000\n事项：道路运输经营许可\n拟说不理由：材料不全",
    "aliases of labels": "说不\n申请人：张三\n手机：13800000000\n事项名称：道路运输经营许可\n说不理由：材料不全",
    "fields in another order": "说不\n拟说不理由：材料不全\n事项：道路运输经营许可\n联系电话：13800000000\n服务对象：张三",
}


@pytest.mark.parametrize("form", FORM_VARIANTS.values(), ids=FORM_VARIANTS.keys())
async def test_submit_form_as_typed_on_a_phone(world: World, form: str) -> None:
    matter = await world.submit(form=form)
    assert (matter.number, matter.applicant, matter.applicant_phone) == (
        "TJ-2026-0001",
        "张三",
        "13800000000",
    )
    assert (matter.subject, matter.reason) == ("道路运输经营许可", "材料不全")
    assert (matter.state, matter.level, matter.version) == ("pending", 2, 1)
    # Submitted Monday 09:00: the day itself does not count, due at 17:30 on the 3rd working day.
    assert matter.due_at.astimezone(CHINA) == dt.datetime(2026, 12, 3, 17, 30, tzinfo=CHINA)
    reply = await world.last_text("zhangwei")
    assert "TJ-2026-0001" in reply and "陈国庆" in reply and "2026-12-03 17:30" in reply
    card = await world.open_card("chenguoqing")
    assert "TJ-2026-0001" in card["title"] and [b["key"] for b in card["buttons"]] == ["can_do", "escalate"]
    assert Card.from_dict(card).value("applicant") == "张三 13800000000" and card["selection"] is None
    assert Card.from_dict(card).reference == matter.number
    assert (await verify_chain(matter.organisation_id)).ok


async def test_submit_value_over_several_lines_and_colon_in_value(world: World) -> None:
    form = (
        "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：0377-8123456\n事项：道路运输证换发：遗失补办\n"
        "拟说不理由：\n材料不全\n缺少：营业执照副本"
    )
    matter = await world.submit(form=form)
    assert matter.applicant_phone == "0377-8123456"
    assert matter.subject == "道路运输证换发：遗失补办"
    assert matter.reason == "材料不全\n缺少：营业执照副本"


async def test_submit_with_every_optional_field(world: World) -> None:
    form = (
        FORM
        + "\n诉求：尽快办理\n政策依据：《道路运输条例》第十条\n清单编号：ys-01\n协办股室：工程建设股、aqk，运输管理股"
    )
    matter = await world.submit(form=form)
    assert matter.request == "尽快办理" and matter.policy_basis == "《道路运输条例》第十条"
    item = await CatalogItem.get(code="YS-01")
    assert matter.catalog_item_id == item.id
    gck, aqk = await Department.get(code="gck"), await Department.get(code="aqk")
    # The submitter's own section is not a co-department.
    assert matter.co_department_ids == [gck.id, aqk.id]
    reply = await world.last_text("zhangwei")
    assert "协办股室：工程建设股、安全监督股" in reply
    card = await world.open_card("chenguoqing")
    assert "尽快办理" in card["body"]
    # 清单编号, 协办股室 and 政策依据 are fields of the card (finding 12).
    shown = Card.from_dict(card)
    assert shown.value("catalog") == "YS-01 道路旅客运输经营许可"
    assert shown.value("co_departments") == "工程建设股、安全监督股"
    assert shown.value("policy_basis") == "《道路运输条例》第十条"


async def test_section_head_submitting_goes_straight_to_the_deputy(world: World) -> None:
    matter = await world.submit("chenguoqing")
    assert matter.level == 3
    assert await world.cards("chenguoqing") == []
    card = await world.open_card("liminghua")
    assert matter.number in card["title"] and "分管领导 李明华" in Card.from_dict(card).value("level")
    assert "分管领导 李明华" in await world.last_text("chenguoqing")


async def test_numbers_are_sequential_per_year_across_the_new_year(world: World) -> None:
    numbers = [(await world.submit(handle)).number for handle in ("zhangwei", "wangfang", "liqiang")]
    assert numbers == ["TJ-2026-0001", "TJ-2026-0002", "TJ-2026-0003"]
    world.clock.set(dt.datetime(2026, 12, 31, 23, 58, tzinfo=CHINA))
    assert (await world.submit("zhangwei")).number == "TJ-2026-0004"
    # 16:30 UTC on 31 December is already 2027 in Tongbai: the local year counts.
    world.clock.set(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC))
    first_2027 = await world.submit("wangfang")
    assert (first_2027.number, first_2027.year, first_2027.seq) == ("TJ-2027-0001", 2027, 1)
    assert (await world.submit("zhangwei")).number == "TJ-2027-0002"
    # The old year's matters are still found by number.
    assert "TJ-2026-0004" in (await world.say("zhangwei", "查询 TJ-2026-0004")).message


async def test_duplicate_delivery_of_a_submission_creates_one_matter(world: World) -> None:
    first = await world.say("zhangwei", FORM, key="wecom:msg:42")
    again = await world.say("zhangwei", FORM, key="wecom:msg:42")
    assert first.ok and "TJ-2026-0001" in first.message
    assert again.message == DUPLICATE
    assert await Matter.all().count() == 1 and await DecisionStep.all().count() == 1
    assert len(await world.cards("chenguoqing")) == 1
    assert len(await world.texts("zhangwei")) == 1
    assert await InboxEntry.filter(key="wecom:msg:42").count() == 1


MISSING = {
    "服务对象": "说不\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全",
    "联系电话": "说不\n服务对象：张三\n事项：道路运输经营许可\n拟说不理由：材料不全",
    "事项": "说不\n服务对象：张三\n联系电话：13800000000\n拟说不理由：材料不全",
    "拟说不理由": "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：  ",
}


@pytest.mark.parametrize(("label", "form"), MISSING.items(), ids=MISSING.keys())
async def test_submit_missing_required_field(world: World, label: str, form: str) -> None:
    await assert_refused(world, "zhangwei", form, "提交未成功", f"缺少“{label}”")


async def test_submit_names_every_problem_at_once(world: World) -> None:
    message = await assert_refused(
        world, "zhangwei", "说不\n联系电话：12345\n事项：道路运输经营许可\n清单编号：XX-99\n协办股室：宣传股",
        "缺少“服务对象”", "缺少“拟说不理由”", "“12345”格式不对", "清单编号“XX-99”不存在", "协办股室“宣传股”不存在",
    )  # fmt: skip
    assert "重新发送" in message


@pytest.mark.parametrize("phone", ["12345", "1380000000", "23800000000", "138000000001", "电话号码", "0377"])
async def test_submit_bad_phone_number(world: World, phone: str) -> None:
    form = FORM.replace("13800000000", phone)
    await assert_refused(world, "zhangwei", form, f"联系电话“{phone}”格式不对", "11位手机号")


async def test_submit_unknown_catalog_code(world: World) -> None:
    await assert_refused(world, "zhangwei", FORM + "\n清单编号：YS-99", "清单编号“YS-99”不存在", "清单")


async def test_submit_unknown_co_department(world: World) -> None:
    await assert_refused(world, "zhangwei", FORM + "\n协办股室：工程股", "协办股室“工程股”不存在")


async def test_submit_field_given_twice_or_unknown(world: World) -> None:
    await assert_refused(world, "zhangwei", FORM + "\n服务对象：李四", "填写了两次")
    await assert_refused(world, "zhangwei", "说不\n备注：无\n" + FORM[3:], "无法识别的字段“备注”")
    await assert_refused(world, "zhangwei", "说不\n随便写点什么\n" + FORM[3:], "无法识别这一行")


async def test_submit_too_long_value(world: World) -> None:
    await assert_refused(world, "zhangwei", FORM.replace("张三", "张" * 101), "“服务对象”太长")


async def test_submit_by_someone_without_a_section(world: World) -> None:
    await assert_refused(world, "liminghua", FORM, "没有归属股室")


async def test_unknown_sender_is_told_to_register_and_nothing_is_stored(world: World) -> None:
    """The 未登记 reply goes to the sender's account through the outbox; nothing else is stored."""
    before = await snapshot()
    outbox_before = await OutboxMessage.all().count()
    senders = (("simulator", "nobody"), ("wecom", "Stranger"), ("dingtalk", "0999"), ("simulator", ""))
    for platform, user in senders:
        reply = await world.router.handle(TextMessage(Sender(platform, user), FORM, f"k:{uuid.uuid4().hex}"))
        assert reply.ok is False and "未登记" in reply.message
        click = await world.router.handle(
            CardAction(Sender(platform, user), "tjX", "can_do", f"c:{uuid.uuid4()}")
        )
        assert click.ok is False and "未登记" in click.message
    assert await snapshot() == before
    replies = await OutboxMessage.filter(id__gt=0).order_by("id").offset(outbox_before)
    # One reply per event from a real account (the empty id cannot be answered), none to a Person.
    assert len(replies) == 6
    assert all(r.person_id is None and "未登记" in str(r.payload["text"]) for r in replies)
    assert {(r.platform, r.payload["user_id"]) for r in replies} == {(p, u) for p, u in senders if u}


async def test_inactive_person_is_unknown(world: World) -> None:
    await Person.filter(handle="wangfang").update(active=False)
    reply = await world.say("wangfang", FORM)
    assert reply.ok is False and "未登记" in reply.message
    assert await Matter.all().count() == 0


async def test_unknown_command_and_empty_message(world: World) -> None:
    await assert_refused(world, "zhangwei", "你好", "没有“你好”这个命令", "帮助")
    await assert_refused(world, "zhangwei", "   ", "消息是空的")


# --- 待办 ------------------------------------------------------------------------------------------


async def test_todo_resends_cards_and_every_card_of_the_step_works(world: World) -> None:
    assert "没有待审批" in (await world.say("chenguoqing", "待办")).message
    first = await world.submit("zhangwei")
    second = await world.submit("wangfang")
    old_refs = [c["ref"] for c in await world.cards("chenguoqing")]
    assert len(old_refs) == 2
    reply = await world.say("chenguoqing", "todo")
    assert reply.ok and "2 件" in reply.message
    assert first.number in reply.message and second.number in reply.message
    cards = await world.cards("chenguoqing")
    assert len(cards) == 4 and not any(c["closed"] for c in cards)
    new_ref = cards[2]["ref"]
    assert new_ref not in old_refs and first.number in cards[2]["title"]
    assert (await world.click("chenguoqing", new_ref, "can_do")).ok
    # The old card of the same step shows the decision and is no longer clickable.
    by_ref = {c["ref"]: c for c in await world.cards("chenguoqing")}
    assert by_ref[old_refs[0]]["closed"] and "已确认能办" in by_ref[old_refs[0]]["status"]
    again = await world.click("chenguoqing", old_refs[0], "escalate")
    assert again.ok is False and "已由 陈国庆 于 2026-11-30 09:" in again.message
    assert "1 件" in (await world.say("chenguoqing", "待办")).message


async def test_todo_for_a_stand_in(world: World) -> None:
    await world.submit("chenguoqing")  # goes to deputy 李明华
    world.clock.set(dt.datetime(2027, 2, 2, 10, 0, tzinfo=CHINA))  # 赵志强 stands in for 李明华
    reply = await world.say("zhaozhiqiang", "待办")
    assert "1 件" in reply.message and "TJ-2026-0001" in reply.message


# --- 我的 / 查询 -------------------------------------------------------------------------------------


async def test_mine_lists_my_matters_with_state(world: World) -> None:
    assert "还没有提交过" in (await world.say("zhangwei", "我的")).message
    await world.submit("zhangwei")
    await world.submit("wangfang")
    second = await world.submit("zhangwei", FORM.replace("道路运输经营许可", "出租车从业资格"))
    await world.say("zhangwei", f"撤回 {second.number} 误报")
    reply = await world.say("zhangwei", "mine")
    assert reply.ok
    assert "TJ-2026-0001 道路运输经营许可｜审批中（股室负责人）" in reply.message
    assert "TJ-2026-0003 出租车从业资格｜已撤回" in reply.message
    assert "TJ-2026-0002" not in reply.message


async def test_show_timeline_to_the_people_involved(world: World) -> None:
    matter = await world.submit()
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "escalate")
    for handle in ("zhangwei", "chenguoqing", "liminghua", "wangjianguo", "zhouwenbin", "tangweidong"):
        reply = await world.say(handle, f"查询 {matter.number}")
        assert reply.ok, (handle, reply.message)
        assert "状态：审批中（分管领导审批中）" in reply.message
        assert "送股室负责人 陈国庆" in reply.message and "陈国庆：提级" in reply.message
        assert "送分管领导 李明华；待处理" in reply.message
    assert (await world.say("zhangwei", "show tj-2026-1")).ok  # lower case, short number


async def test_show_refuses_outsiders(world: World) -> None:
    matter = await world.submit()
    refusal = f"您无权查看 {matter.number}：只有提交人、审批人、协办股室负责人和办公室可以查看。"
    for outsider in ("wangfang", "zhaozhiqiang"):
        assert await assert_refused(world, outsider, f"查询 {matter.number}") == refusal
        # The chat and the matter's page apply one rule (bot.matters.access.may_view).
        assert not await may_view(await Person.get(handle=outsider), matter, today=dt.date(2026, 11, 30))


@pytest.mark.parametrize("command", ["查询", "撤回", "意见", "回复"])
async def test_missing_malformed_and_unknown_numbers(world: World, command: str) -> None:
    await world.submit()
    await assert_refused(world, "zhangwei", command, "缺少事项编号", "用法")
    await assert_refused(
        world, "zhangwei", f"{command} 2026-0001 电话 内容", "“2026-0001”不是事项编号", "TJ-2026-0007"
    )
    await assert_refused(world, "zhangwei", f"{command} TJ-20260001 电话 内容", "不是事项编号")
    await assert_refused(
        world, "zhangwei", f"{command} TJ-2026-0099 电话 内容", "没有编号为 TJ-2026-0099 的事项"
    )
    await assert_refused(
        world, "zhangwei", f"{command} TJ-2025-0001 电话 内容", "没有编号为 TJ-2025-0001 的事项"
    )


# --- decisions by card -------------------------------------------------------------------------------


async def test_deciding_someone_elses_step_changes_nothing(world: World) -> None:
    await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    before = await snapshot()
    for handle in ("wangfang", "zhangwei", "liminghua", "wangjianguo"):
        reply = await world.click(handle, ref, "can_do")
        assert reply.ok is False and "由 陈国庆 审批，您无权处理" in reply.message
        assert await world.last_text(handle) == reply.message
    assert await snapshot() == before


async def test_unknown_card_and_unknown_button(world: World) -> None:
    await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    before = await snapshot()
    reply = await world.click("chenguoqing", "tjNoSuchCard", "can_do")
    assert reply.ok is False and "找不到这张审批卡" in reply.message
    for key in ("approve", "give_refusal_text", "withdraw", ""):
        reply = await world.click("chenguoqing", ref, key)
        assert reply.ok is False and "无法识别的按钮" in reply.message
    reply = await world.click("chenguoqing", ref, "can_do", {"refusal_category": "bogus"})
    assert reply.ok is False and "原因选项无效" in reply.message
    assert await snapshot() == before


async def test_button_not_on_this_level(world: World) -> None:
    await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    before = await snapshot()
    reply = await world.click("chenguoqing", ref, "confirm_no", {"refusal_category": "law"})
    assert reply.ok is False and "只有主要领导可以确认不能办" in reply.message
    assert await snapshot() == before


async def test_repeated_and_stale_clicks_answer_who_handled_it(world: World) -> None:
    matter = await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    world.clock.set(dt.datetime(2026, 11, 30, 10, 15, tzinfo=CHINA))
    assert (await world.click("chenguoqing", ref, "escalate")).ok
    world.clock.set(dt.datetime(2026, 11, 30, 11, 0, tzinfo=CHINA))
    before = await snapshot()
    for key in ("escalate", "can_do"):
        reply = await world.click("chenguoqing", ref, key)
        assert reply.ok is False
        assert reply.message == f"{matter.number} 已由 陈国庆 于 2026-11-30 10:15 处理"
    assert await snapshot() == before
    # The same event delivered twice (platform retry): applied once, the retry says so.
    deputy_ref = (await world.open_card("liminghua"))["ref"]
    first = await world.click("liminghua", deputy_ref, "can_do", dedupe="wecom:card:x:1")
    after_first = await snapshot()
    again = await world.click("liminghua", deputy_ref, "can_do", dedupe="wecom:card:x:1")
    assert first.ok and again.message == DUPLICATE
    assert await snapshot() == after_first
    assert len([t for t in await world.texts("zhangwei") if "能办" in t]) == 1


async def test_escalate_twice_then_can_do_at_the_top(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    assert [(b["key"], b.get("selected")) for b in card["buttons"]] == [
        ("can_do", None),
        ("confirm_no", {"refusal_category": "law"}),
        ("confirm_no", {"refusal_category": "conditions"}),
        ("confirm_no", {"refusal_category": "other"}),
    ]
    assert card["selection"] is None
    assert "股室负责人 陈国庆：提级" in card["body"] and "分管领导 李明华：提级" in card["body"]
    texts = await world.texts("zhangwei")
    assert any("提级至分管领导 李明华" in t for t in texts)
    assert any("提级至主要领导 王建国" in t for t in texts)
    assert (await world.click("wangjianguo", card["ref"], "can_do")).ok
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.outcome, matter.decided_level) == ("resolved", "can_do", 4)
    assert "经主要领导 王建国 研判：能办" in await world.last_text("zhangwei")
    # Every card of every level now shows the matter closed.
    for handle in ("chenguoqing", "liminghua", "wangjianguo"):
        assert all(c["closed"] for c in await world.cards(handle)), handle


# --- free text after a button (confirm_no) and 意见 -------------------------------------------------


async def test_refusal_text_as_the_next_message_and_commands_still_work(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    answer = await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": "conditions"})
    assert answer.ok and "客观条件不具备" in answer.message and "理由：" in answer.message
    assert "待填写理由" in (await world.open_card("wangjianguo"))["status"]
    # A command word is still a command, and does not use up the prompt.
    todo = await world.say("wangjianguo", "待办")
    assert todo.ok and "待填写不能办理由" in todo.message
    assert (await Matter.get(id=matter.id)).state == "pending"
    # Words without the 建议 are kept, and only the 说“行”建议 is asked for, in plain words.
    partial = await world.say("wangjianguo", "站场用地尚未批复")
    assert partial.ok and partial.message.endswith("请再告诉我说“行”建议：怎样才能办成？")
    assert (await Matter.get(id=matter.id)).state == "pending"
    await assert_refused(world, "wangjianguo", "理由：站场用地尚未批复", "请再告诉我说“行”建议")
    reply = await world.say("wangjianguo", "用地批复后优先办理")
    assert reply.ok and "已确认不能办" in reply.message
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.outcome, matter.refusal_category) == (
        "refused",
        "confirm_no",
        RefusalCategory.CONDITIONS,
    )
    assert (matter.decision_text, matter.way_forward) == ("站场用地尚未批复", "用地批复后优先办理")
    notice = await world.last_text("zhangwei")
    assert "确实不能办" in notice and "用地批复后优先办理" in notice and "客观条件不具备" in notice
    assert all(c["closed"] for c in await world.cards("wangjianguo"))
    # The prompt is answered: the next free text is an unknown command again.
    await assert_refused(world, "wangjianguo", "理由：再补充 建议：再补充", "没有“理由")


async def test_refusal_text_by_the_comment_command(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": "law"})
    partial = await world.say("wangjianguo", f"意见 {matter.number} 理由：不符合规定")
    assert partial.ok and "请再告诉我说“行”建议" in partial.message
    await assert_refused(world, "wangjianguo", f"意见 {matter.number}", "缺少意见内容")
    reply = await world.say(
        "wangjianguo", f"comment {matter.number}\n理由：不符合规定\n说行建议：补充材料后再申请"
    )
    assert reply.ok, reply.message
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.refusal_category, matter.way_forward) == (
        "refused",
        RefusalCategory.LAW,
        "补充材料后再申请",
    )
    # A repeated refusal click after the decision changes nothing.
    again = await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": "law"})
    assert again.ok is False and "已由 王建国 于" in again.message


async def test_comment_after_can_do_reaches_the_submitter(world: World) -> None:
    matter = await world.submit()
    reply = await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    assert "如需补充研判意见" in reply.message
    assert "经股室负责人 陈国庆 研判：能办" in await world.last_text("zhangwei")
    answer = await world.say("chenguoqing", "请先补齐营业执照复印件")
    assert answer.ok and "已记录您的意见" in answer.message
    assert (
        await world.last_text("zhangwei")
        == f"{matter.number} 股室负责人 陈国庆 的意见：请先补齐营业执照复印件"
    )
    matter = await Matter.get(id=matter.id)
    assert matter.decision_text == "请先补齐营业执照复印件"
    timeline = (await world.say("zhangwei", f"查询 {matter.number}")).message
    assert "陈国庆：能办（请先补齐营业执照复印件）" in timeline
    # Later words go through 意见 only.
    await assert_refused(world, "chenguoqing", "还有一点", "没有“还有一点”这个命令")
    assert (await world.say("chenguoqing", f"意见 {matter.number} 另需身份证")).ok
    assert (await Matter.get(id=matter.id)).decision_text == "另需身份证"


async def test_comment_by_someone_who_did_not_decide(world: World) -> None:
    matter = await world.submit()
    await assert_refused(world, "liminghua", f"意见 {matter.number} 同意", "您不是", "审批人")
    await assert_refused(world, "zhangwei", f"意见 {matter.number} 同意", "您不是", "审批人")


# --- 回复 -------------------------------------------------------------------------------------------


async def resolved(world: World) -> Matter:
    matter = await world.submit()
    assert (await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")).ok
    await world.say("chenguoqing", "帮助")  # leave the comment prompt unused
    return await Matter.get(id=matter.id)


async def test_reply_by_phone_closes_the_matter(world: World) -> None:
    matter = await resolved(world)
    world.clock.set(dt.datetime(2026, 12, 1, 15, 0, tzinfo=CHINA))
    reply = await world.say("zhangwei", f"回复 {matter.number} 电话 13900001111 已告知申请人补齐材料后来办")
    assert reply.ok and reply.message == f"{matter.number} 已登记电话回复，事项办结。"
    record = await ReplyRecord.get(matter_id=matter.id)
    assert (record.method, record.callee_phone, record.content) == (
        "phone",
        "13900001111",
        "已告知申请人补齐材料后来办",
    )
    matter = await Matter.get(id=matter.id)
    assert matter.state == "closed" and matter.closed_at is not None
    timeline = (await world.say("zhangwei", f"查询 {matter.number}")).message
    assert (
        "状态：已办结" in timeline and "张伟 电话回复（13900001111）：已告知申请人补齐材料后来办" in timeline
    )


async def test_full_width_spaces_between_words(world: World) -> None:
    matter = await resolved(world)
    assert (await world.say("zhangwei", f"查询\u3000{matter.number}")).ok
    reply = await world.say("zhangwei", f"回复\u3000{matter.number}\u3000书面\u3000已邮寄答复")
    assert reply.ok, reply.message
    assert (await ReplyRecord.get(matter_id=matter.id)).content == "已邮寄答复"


async def test_reply_written_late_and_default_callee(world: World) -> None:
    matter = await resolved(world)
    world.clock.set(dt.datetime(2026, 12, 4, 9, 0, tzinfo=CHINA))
    reply = await world.say("zhangwei", f"reply {matter.number} written 已邮寄书面答复")
    assert (
        reply.ok and "已登记书面回复" in reply.message and "已超过回复期限 2026-12-03 17:30" in reply.message
    )
    record = await ReplyRecord.get(matter_id=matter.id)
    assert (record.method, record.callee_phone) == ("written", "")


async def test_phone_reply_without_a_number_uses_the_applicants(world: World) -> None:
    matter = await resolved(world)
    assert (await world.say("zhangwei", f"回复 {matter.number}\n电话\n已告知")).ok
    record = await ReplyRecord.get(matter_id=matter.id)
    assert (record.callee_phone, record.content) == ("13800000000", "已告知")


async def test_reply_bad_inputs(world: World) -> None:
    matter = await world.submit()
    await assert_refused(world, "zhangwei", f"回复 {matter.number} 电话 已告知", "仍在审批中")
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    await assert_refused(world, "wangfang", f"回复 {matter.number} 电话 已告知", "不是您提交的事项")
    await assert_refused(world, "chenguoqing", f"回复 {matter.number} 电话 已告知", "不是您提交的事项")
    await assert_refused(world, "zhangwei", f"回复 {matter.number} 微信 已告知", "“电话”或“书面”")
    await assert_refused(world, "zhangwei", f"回复 {matter.number} 电话", "缺少回复内容")
    assert (await world.say("zhangwei", f"回复 {matter.number} 书面 已答复")).ok
    await assert_refused(world, "zhangwei", f"回复 {matter.number} 书面 再答复", "已办结", "不能再登记回复")


# --- 撤回 -------------------------------------------------------------------------------------------


async def test_withdraw_my_pending_matter_closes_the_cards(world: World) -> None:
    matter = await world.submit()
    ref = (await world.open_card("chenguoqing"))["ref"]
    world.clock.set(dt.datetime(2026, 11, 30, 14, 5, tzinfo=CHINA))
    reply = await world.say("zhangwei", f"withdraw {matter.number} 申请人撤回申请")
    assert (
        reply.ok
        and reply.message == f"{matter.number} 已撤回（原因：申请人撤回申请），已告知审批人和股室负责人。"
    )
    matter = await Matter.get(id=matter.id)
    assert matter.state == "withdrawn" and matter.withdrawn_at is not None
    card = (await world.cards("chenguoqing"))[-1]
    assert card["closed"] and "撤回" in card["status"] and card["buttons"] == []
    before = await snapshot()
    click = await world.click("chenguoqing", ref, "can_do")
    assert (
        click.ok is False and click.message == f"{matter.number} 已由 张伟 于 2026-11-30 14:05 撤回，无需处理"
    )
    assert await snapshot() == before
    await assert_refused(world, "zhangwei", f"撤回 {matter.number} 误报", "已经撤回，无需再次撤回")


async def test_withdraw_while_the_principal_owes_the_refusal_text(world: World) -> None:
    matter = await world.submit()
    card = await world.escalate_to_principal(matter)
    await world.click("wangjianguo", card["ref"], "confirm_no", {"refusal_category": "other"})
    assert (await world.say("zhangwei", f"撤回 {matter.number} 申请人已自行放弃")).ok
    assert await TextPrompt.filter(answered_at__isnull=True).count() == 0
    # The principal's next words are no longer taken for the withdrawn matter.
    await assert_refused(world, "wangjianguo", "理由：无 建议：无", "没有“理由")


async def test_withdraw_someone_elses_or_decided_matter(world: World) -> None:
    matter = await world.submit()
    await assert_refused(world, "wangfang", f"撤回 {matter.number}", "不是您提交的事项", "只有提交人可以撤回")
    await assert_refused(world, "chenguoqing", f"撤回 {matter.number}", "不是您提交的事项")
    await world.click("chenguoqing", (await world.open_card("chenguoqing"))["ref"], "can_do")
    await assert_refused(
        world, "zhangwei", f"撤回 {matter.number} 误报", "领导已确认能办，不能再撤回", "回复 编号"
    )


# --- 清单 / 汇总 / 帮助 ------------------------------------------------------------------------------


async def test_catalog_all_and_by_section(world: World) -> None:
    everything = await world.say("wangfang", "清单")
    assert everything.ok and "【运输管理股】" in everything.message and "【执法一中队】" in everything.message
    assert "YS-01 道路旅客运输经营许可（行政许可）" in everything.message
    for arg in ("运输管理股", "ysk", "运输"):
        one = await world.say("wangfang", f"catalog {arg}")
        assert one.ok and "【运输管理股】" in one.message and "【工程建设股】" not in one.message, arg
    await assert_refused(world, "wangfang", "清单 宣传股", "没有名为“宣传股”的股室")


async def test_digest_permissions_and_quarter(world: World) -> None:
    for handle in ("zhouwenbin", "wangjianguo", "liminghua", "chenguoqing", "tangweidong"):
        reply = await world.say(handle, "汇总")
        assert reply.ok and "2026年第3季度" in reply.message, handle
    q2 = await world.say("jiangtao", "digest 2026Q2")
    assert q2.ok and "2026年第2季度" in q2.message
    await assert_refused(world, "zhangwei", "汇总", "仅向办公室和各级领导提供")
    await assert_refused(world, "zhangwei", "汇总 2026Q3", "仅向办公室和各级领导提供")
    await assert_refused(world, "zhouwenbin", "汇总 2026Q5", "不是季度", "2026Q3")


@pytest.mark.parametrize("word", ["帮助", "help", "HELP", "?", "？"])
async def test_help_lists_the_commands_staff_may_use(world: World, word: str) -> None:
    reply = await world.say("zhangwei", word)
    assert reply.ok and reply.message.startswith("张伟，您好")
    for command in ("说不", "待办", "我的", "查询", "催办", "回复", "撤回", "意见", "清单", "帮助"):
        assert f"- {command}" in reply.message or f"/ {command}" in reply.message, command
    for command in ("汇总", "报送", "在办", "逾期"):  # the office's and leaders' commands
        assert f"- {command}" not in reply.message, command


async def test_help_shows_the_office_and_leaders_their_commands(world: World) -> None:
    for handle in ("zhouwenbin", "wangjianguo"):  # the office, the principal
        reply = await world.say(handle, "帮助")
        for command in ("说不", "在办", "逾期", "汇总", "报送", "帮助"):
            assert f"- {command}" in reply.message, (handle, command)
    deputy = await world.say("liminghua", "帮助")
    assert "- 在办" in deputy.message and "- 汇总" in deputy.message and "- 报送" not in deputy.message


ALIASES = [("说不", "submit"), ("待办", "todo"), ("我的", "mine"), ("清单", "catalog"), ("帮助", "help"),
           ("查询 TJ-2026-0001", "show TJ-2026-0001"), ("汇总", "digest")]  # fmt: skip


@pytest.mark.parametrize(("chinese", "english"), ALIASES)
async def test_english_aliases_answer_like_the_chinese_words(
    world: World, chinese: str, english: str
) -> None:
    await world.submit()
    first = await world.say("wangjianguo", chinese)
    second = await world.say("wangjianguo", english)
    assert (first.ok, first.message) == (second.ok, second.message)


async def test_audit_chain_of_a_busy_session_verifies(world: World) -> None:
    matter = await world.submit()
    await world.escalate_to_principal(matter)
    await world.say("zhangwei", "撤回 TJ-2026-0001 误报")
    await world.submit("wangfang")
    organisation = await Organisation.get(code="tongbai-jt")
    check = await verify_chain(organisation.id)
    assert check.ok and check.rows == await AuditEntry.all().count() == 5
    actions = [a.action for a in await AuditEntry.all().order_by("seq")]
    assert actions == ["submit", "escalate", "escalate", "withdraw", "submit"]
