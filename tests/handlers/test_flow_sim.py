"""The whole 说“不”提级 flow through the simulator's JSON API, a real arq worker and a real Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.audit import verify_chain
from bot.clock import SimClock
from bot.settings import Settings
from models.enums import RefusalCategory
from models.matter import Matter
from models.messaging import OutboxMessage
from tests.support.stack import Stack, running_stack

FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def say(stack: Stack, handle: str, text: str) -> None:
    response = await stack.client.post("/sim/api/messages", json={"from": handle, "text": text})
    assert response.status == 202, await response.text()
    await stack.drain()


async def inbox(stack: Stack, handle: str) -> list[dict[str, Any]]:
    response = await stack.client.get(f"/sim/api/inbox/{handle}")
    assert response.status == 200
    items: list[dict[str, Any]] = await response.json()
    return items


async def last_text(stack: Stack, handle: str) -> str:
    items = [i for i in await inbox(stack, handle) if i["direction"] == "out" and i["kind"] == "text"]
    assert items, f"{handle} got no text"
    return str(items[-1]["text"])


async def open_card(stack: Stack, handle: str) -> dict[str, Any]:
    cards = [i["card"] for i in await inbox(stack, handle) if i["kind"] == "card" and not i["card"]["closed"]]
    assert cards, f"{handle} has no open card"
    card: dict[str, Any] = cards[-1]
    return card


async def click(
    stack: Stack, handle: str, ref: str, key: str, selected: dict[str, str] | None = None
) -> dict[str, Any]:
    response = await stack.client.post(
        f"/sim/api/cards/{ref}/click", json={"by": handle, "key": key, "selected": selected or {}}
    )
    assert response.status == 200
    body: dict[str, Any] = await response.json()
    await stack.drain()
    return body


async def test_submit_escalate_twice_refuse_reply_close(stack: Stack) -> None:
    await say(stack, "zhangwei", FORM)
    assert "TJ-2026-0001" in await last_text(stack, "zhangwei")
    head_card = await open_card(stack, "chenguoqing")
    assert "TJ-2026-0001" in head_card["title"]
    assert [b["key"] for b in head_card["buttons"]] == ["can_do", "escalate"]

    # Someone else cannot decide the head's card.
    refused = await click(stack, "wangfang", head_card["ref"], "can_do")
    assert refused["ok"] is False and "陈国庆" in refused["message"]

    assert (await click(stack, "chenguoqing", head_card["ref"], "escalate"))["ok"]
    deputy_card = await open_card(stack, "liminghua")
    closed_head = next(i["card"] for i in await inbox(stack, "chenguoqing") if i["kind"] == "card")
    assert closed_head["closed"] and "已提级至 分管领导 李明华" in closed_head["status"]

    # A repeated click on the stale card changes nothing and says who handled it when.
    again = await click(stack, "chenguoqing", head_card["ref"], "can_do")
    assert again["ok"] is False and "已由 陈国庆 于" in again["message"]

    assert (await click(stack, "liminghua", deputy_card["ref"], "escalate"))["ok"]
    principal_card = await open_card(stack, "wangjianguo")
    # One 确认不能办 button per category, nothing pre-selected (no selection on the card at all).
    assert principal_card["selection"] is None
    assert [(b["key"], b["text"], b["selected"]) for b in principal_card["buttons"]] == [
        ("can_do", "能办", {}),
        ("confirm_no", "确认不能办·法律政策", {"refusal_category": "law"}),
        ("confirm_no", "确认不能办·客观条件", {"refusal_category": "conditions"}),
        ("confirm_no", "确认不能办·其他", {"refusal_category": "other"}),
    ]
    # A tap without a category (a card of an older shape, a hand-made request) is refused.
    bare = await click(stack, "wangjianguo", principal_card["ref"], "confirm_no")
    assert bare["ok"] is False and "须选择原因" in bare["message"]
    assert (await Matter.get(number="TJ-2026-0001")).state == "pending"
    assert not (await open_card(stack, "wangjianguo"))["closed"]

    law = principal_card["buttons"][1]
    answer = await click(stack, "wangjianguo", principal_card["ref"], law["key"], law["selected"])
    assert "理由" in answer["message"]
    assert "待填写理由" in (await open_card(stack, "wangjianguo"))["status"]
    await say(
        stack, "wangjianguo", "理由：延续申请须提交年度审验合格证明\n建议：补齐年审合格证明后可当场办理"
    )
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.state == "refused" and matter.refusal_category is RefusalCategory.LAW
    assert matter.way_forward == "补齐年审合格证明后可当场办理"
    assert "补齐年审合格证明后可当场办理" in await last_text(stack, "zhangwei")

    await say(stack, "zhangwei", "回复 TJ-2026-0001 电话 已电话告知对方补齐年审证明后办理")
    assert "办结" in await last_text(stack, "zhangwei")
    await say(stack, "zhangwei", "查询 TJ-2026-0001")
    timeline = await last_text(stack, "zhangwei")
    assert "已办结" in timeline and "电话回复" in timeline and "提级" in timeline
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.state == "closed" and matter.outcome == "confirm_no"
    assert (await verify_chain(matter.organisation_id)).ok
    assert await OutboxMessage.filter(status="pending").count() == 0


async def advance(stack: Stack, duration: str) -> None:
    response = await stack.client.post("/sim/api/clock", json={"advance": duration})
    assert response.status == 200, await response.text()


async def test_template_co_department_notice_nudge_and_lists_through_the_simulator(stack: Stack) -> None:
    # The 审批表 template sent back with only the phone filled in: refused, nothing reaches anyone.
    await say(stack, "zhangwei", "说不")
    template = await last_text(stack, "zhangwei")
    await say(
        stack, "zhangwei", template[template.index("说不\n") :].replace("*手机或固定电话", "13800001111")
    )
    assert "“服务对象”还是模板里的提示" in await last_text(stack, "zhangwei")
    assert await Matter.all().count() == 0 and not await inbox(stack, "chenguoqing")

    # 协办股室: the co-department's head is told, and may look the matter up.
    await say(stack, "zhangwei", FORM + "\n清单编号：YS-04\n协办股室：行政审批股")
    assert "已通知协办股室负责人：何晓燕（行政审批股）" in await last_text(stack, "zhangwei")
    assert "TJ-2026-0001 列行政审批股为协办股室" in await last_text(stack, "hexiaoyan")
    await say(stack, "hexiaoyan", "查询 TJ-2026-0001")
    shown = await last_text(stack, "hexiaoyan")
    assert "协办股室：行政审批股" in shown and "清单编号：YS-04 道路运输证年审与换发" in shown

    # 催办 after an hour; again at once is refused; two working hours later it works.
    await advance(stack, "PT1H")
    await say(stack, "zhangwei", "催办 TJ-2026-0001")
    assert "已向股室负责人 陈国庆 催办" in await last_text(stack, "zhangwei")
    assert (await last_text(stack, "chenguoqing")).startswith("【催办】张伟催办")
    await say(stack, "zhangwei", "催办 TJ-2026-0001")
    assert "下次可催办时间" in await last_text(stack, "zhangwei")
    await advance(stack, "PT2H")
    await say(stack, "zhangwei", "催办 TJ-2026-0001")
    assert "已向股室负责人 陈国庆 催办" in await last_text(stack, "zhangwei")

    # The office lists it; after the deadline it is overdue.
    await say(stack, "zhouwenbin", "在办")
    assert "TJ-2026-0001 道路运输经营许可证延续｜运输管理股｜股室负责人 陈国庆｜剩" in await last_text(
        stack, "zhouwenbin"
    )
    await advance(stack, "P4D")
    await say(stack, "zhouwenbin", "逾期")
    assert "TJ-2026-0001" in await last_text(stack, "zhouwenbin")
    assert await OutboxMessage.filter(status="pending").count() == 0
