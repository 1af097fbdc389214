"""The chain's rules as a user meets them in the simulator (its JSON API, a real arq worker and a
real Redis, the clock moved through ``/sim/api/clock``): a submitter standing in for his head does
not decide his own matter, comments travel up, cards say where the matter is now, the principal
picks a category by its own button and answers in one sentence, and the answered refusal is only
added to afterwards."""

from __future__ import annotations

import datetime as dt

from models.matter import Matter
from models.org import Person, StandIn
from tests.handlers.test_flow_sim import FORM, click, inbox, last_text, open_card, say, stack
from tests.support.stack import Stack

__all__ = ["stack"]  # the fixture, used by name

SENTENCE = "因法律政策不允许，暂不能增加该经营范围；建议先办理专用停车场地备案后重新申请"


async def set_clock(stack: Stack, when: str) -> None:
    response = await stack.client.post("/sim/api/clock", json={"now": when})
    assert response.status == 200, await response.text()


async def test_the_chain_as_a_user_meets_it_in_the_simulator(stack: Stack) -> None:
    head, staff = await Person.get(handle="chenguoqing"), await Person.get(handle="zhangwei")
    await StandIn.create(
        organisation_id=head.organisation_id, person=head, stand_in=staff,
        start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 4), reason="外出学习",
    )  # fmt: skip
    await set_clock(stack, "2026-12-02T10:00:00+08:00")

    # 张伟 acts for his head today: his own matter skips the head's level (finding 1).
    await say(stack, "zhangwei", FORM)
    assert [i for i in await inbox(stack, "zhangwei") if i["kind"] == "card"] == []
    deputy_card = await open_card(stack, "liminghua")
    assert deputy_card["named_fields"]["level"] == "分管领导 李明华"

    # 提级 invites a comment; the principal's card shows it with the name (finding 11).
    answer = await click(stack, "liminghua", deputy_card["ref"], "escalate")
    assert answer["ok"] and "如需补充研判意见" in answer["message"]
    await say(stack, "liminghua", "场地条件确不具备，请主要领导定夺")
    principal_card = await open_card(stack, "wangjianguo")
    assert "分管领导 李明华：提级；研判意见：场地条件确不具备，请主要领导定夺" in principal_card["body"]
    # The deputy's card now says where the matter is (finding 13).
    closed = next(i["card"] for i in await inbox(stack, "liminghua") if i["kind"] == "card")
    assert closed["closed"] and closed["named_fields"]["level"] == "主要领导 王建国"

    # One button per category, nothing pre-selected; then one natural sentence (findings 6, 10).
    law = next(b for b in principal_card["buttons"] if b["selected"] == {"refusal_category": "law"})
    assert (await click(stack, "wangjianguo", principal_card["ref"], law["key"], law["selected"]))["ok"]
    await say(stack, "wangjianguo", SENTENCE)
    assert "已确认不能办" in await last_text(stack, "wangjianguo")
    notice = await last_text(stack, "zhangwei")
    assert "先办理专用停车场地备案后重新申请" in notice and "法律政策不允许" in notice

    # Answered: three months later the principal's words are added to, not rewritten (finding 7).
    await say(stack, "zhangwei", "回复 TJ-2026-0001 电话 已告知申请人先办理备案")
    await set_clock(stack, "2027-03-02T09:30:00+08:00")
    await say(stack, "wangjianguo", "意见 TJ-2026-0001 理由：另查该地块未完成规划")
    assert "原意见不再修改" in await last_text(stack, "wangjianguo")
    matter = await Matter.get(number="TJ-2026-0001")
    assert matter.decision_text == "因法律政策不允许，暂不能增加该经营范围"
    await say(stack, "zhangwei", "查询 TJ-2026-0001")
    timeline = await last_text(stack, "zhangwei")
    assert "理由：因法律政策不允许，暂不能增加该经营范围" in timeline
    assert "2027-03-02 09:30 王建国 补充理由：另查该地块未完成规划" in timeline
