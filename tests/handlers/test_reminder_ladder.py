"""The 催办 ladder through the simulator's JSON API, the real arq worker's cron function and Redis,
with the clock moved as in issue 8's findings 2–5."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.audit import verify_chain
from bot.clock import SimClock
from bot.jobs.worker import due_work
from bot.settings import Settings
from models.audit import AuditEntry
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from models.org import GroupChannel, Person, StandIn
from tests.support.stack import Stack, running_stack

CN = dt.timezone(dt.timedelta(hours=8))
FORM = "说不\n服务对象：桐柏县宏达运输有限公司\n联系电话：13800001111\n事项：道路运输经营许可证延续\n拟说不理由：年审材料不全"
CONSULTED = FORM + "\n协办股室：工程建设股"


def at(m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(2026, m, d, hh, mm, tzinfo=CN)


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def set_clock(stack: Stack, when: dt.datetime) -> None:
    response = await stack.client.post("/sim/api/clock", json={"now": when.isoformat()})
    assert response.status == 200, await response.text()


async def tick(stack: Stack, when: dt.datetime) -> None:
    """The worker's cron job as of ``when``, then delivery through the real arq worker."""
    await set_clock(stack, when)
    await due_work({"resources": stack.resources})
    await stack.drain()


async def say(stack: Stack, handle: str, text: str) -> None:
    response = await stack.client.post("/sim/api/messages", json={"from": handle, "text": text})
    assert response.status == 202, await response.text()
    await stack.drain()


async def click(
    stack: Stack, handle: str, ref: str, key: str, selected: dict[str, str] | None = None
) -> None:
    response = await stack.client.post(
        f"/sim/api/cards/{ref}/click", json={"by": handle, "key": key, "selected": selected or {}}
    )
    body = await response.json()
    assert response.status == 200 and body["ok"], body
    await stack.drain()


async def items(stack: Stack, handle: str) -> list[dict[str, Any]]:
    response = await stack.client.get(f"/sim/api/inbox/{handle}")
    assert response.status == 200
    got: list[dict[str, Any]] = await response.json()
    return [i for i in got if i["direction"] == "out"]


async def texts_on(stack: Stack, handle: str, day: dt.date) -> list[str]:
    """The reminder texts ``handle`` received on ``day`` (local time); a leader's weekly 预警
    message (`bot.jobs.weekly_warnings`) is not a reminder and is left out."""
    return [
        str(i["text"])
        for i in await items(stack, handle)
        if i["kind"] == "text"
        and dt.datetime.fromisoformat(i["at"]).date() == day
        and not str(i["text"]).startswith("【本周预警】")
    ]


async def open_cards(stack: Stack, handle: str) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for item in await items(stack, handle):
        if item["card"]:
            latest[item["card"]["ref"]] = item["card"]
    # Decision cards (a matter's); the morning card lists steps and names no matter.
    return [c for c in latest.values() if not c["closed"] and c["matter_number"]]


async def office_posts(stack: Stack) -> list[str]:
    office = await GroupChannel.get(code="office")
    response = await stack.client.get(f"/sim/api/groups/{office.id}")
    return [str(i["text"]) for i in await response.json()]


async def stand_in(person: str, standing_in: str, start: dt.date, end: dt.date) -> None:
    leader = await Person.get(handle=person)
    await StandIn.create(
        organisation_id=leader.organisation_id,
        person=leader,
        stand_in=await Person.get(handle=standing_in),
        start_date=start,
        end_date=end,
    )


async def latest_matter() -> Matter:
    matter = await Matter.all().order_by("-id").first()
    assert matter is not None
    return matter


# --- finding 2: the holder at reminder time ------------------------------------------------------------


async def test_a_stand_in_whose_range_ended_is_not_reminded_the_leader_is(stack: Stack) -> None:
    await stand_in("hexiaoyan", "sunlei", dt.date(2026, 12, 1), dt.date(2026, 12, 2))
    await set_clock(stack, at(12, 2, 14, 0))
    await say(stack, "zhouting", FORM)  # 行政审批股: the head 何晓燕 is away, 孙磊 stands in
    [card] = await open_cards(stack, "sunlei")
    assert "孙磊（代 何晓燕）" in str(card["fields"])

    await tick(stack, at(12, 2, 17, 0))
    await tick(stack, at(12, 3, 9, 1))  # 4 working hours after 14:00, the range has ended
    [reminder] = await texts_on(stack, "hexiaoyan", dt.date(2026, 12, 3))
    matter = await latest_matter()
    assert (
        matter.number in reminder
        and "以股室负责人身份审批 4 个工作小时" in reminder
        and "（代" not in reminder
    )
    assert await texts_on(stack, "sunlei", dt.date(2026, 12, 3)) == []
    # 何晓燕 got the step's card with the reminder: she had none, the card went to 孙磊.
    [hers] = await open_cards(stack, "hexiaoyan")
    assert matter.number in hers["title"]


async def test_a_stand_in_whose_range_began_after_the_step_opened_is_reminded(stack: Stack) -> None:
    await stand_in("chenguoqing", "wangfang", dt.date(2026, 12, 14), dt.date(2026, 12, 18))
    await set_clock(stack, at(12, 11, 9, 0))  # Friday
    await say(stack, "zhangwei", FORM)
    matter = await latest_matter()
    assert matter.due_at == at(12, 16, 17, 30)

    await tick(stack, at(12, 11, 13, 1))
    assert len(await texts_on(stack, "chenguoqing", dt.date(2026, 12, 11))) == 1  # still his then
    for moment in (at(12, 16, 8, 30), at(12, 16, 17, 31)):
        await tick(stack, moment)
    day = dt.date(2026, 12, 16)
    assert await texts_on(stack, "chenguoqing", day) == []
    morning, late = await texts_on(stack, "wangfang", day)
    assert "【今日到期】" in morning and "（代 陈国庆）以股室负责人身份" in morning
    assert "【逾期催办】" in late and "已超过回复期限" in late
    assert [c["title"] for c in await open_cards(stack, "wangfang")] == [f"{matter.number} 说“不”事项审批"]
    [urge] = await texts_on(stack, "liminghua", day)
    assert "督促" in urge and "股室负责人 王芳（代 陈国庆）" in urge


# --- finding 3: a 会商 with a silent deputy goes to the principal -----------------------------------------


async def test_a_consultation_with_a_silent_deputy_goes_to_the_principal_at_its_deadline(
    stack: Stack,
) -> None:
    await set_clock(stack, at(12, 1, 9, 0))
    await say(stack, "zhangwei", CONSULTED)
    matter = await latest_matter()
    [head_card] = await open_cards(stack, "chenguoqing")
    await click(stack, "chenguoqing", head_card["ref"], "escalate")
    [deputy_card] = await open_cards(stack, "liminghua")
    await click(stack, "liminghua", deputy_card["ref"], "can_do")
    await say(stack, "liminghua", "由运输管理股牵头办理")  # his comment on the 能办

    await tick(stack, at(12, 4, 17, 29))
    assert (await Matter.get(id=matter.id)).level == 3 and await open_cards(stack, "wangjianguo") == []
    await tick(stack, at(12, 4, 17, 31))
    matter = await Matter.get(id=matter.id)
    assert (matter.state, matter.level) == ("pending", 4)
    silent = await DecisionStep.get(matter_id=matter.id, level=3, lead=False)
    assert silent.status is StepStatus.OVERDUE
    [principal_card] = await open_cards(stack, "wangjianguo")
    assert matter.number in principal_card["title"]
    [told] = await texts_on(stack, "wangjianguo", dt.date(2026, 12, 4))
    assert "分管领导 李明华：能办（由运输管理股牵头办理）" in told and "分管领导 赵志强：逾期未答复" in told
    assert await open_cards(stack, "zhaozhiqiang") == []
    assert any("逾期未答复" in t for t in await texts_on(stack, "zhaozhiqiang", dt.date(2026, 12, 4)))
    assert any("已提请主要领导 王建国" in t for t in await texts_on(stack, "zhangwei", dt.date(2026, 12, 4)))
    assert any(matter.number in p and "会商逾期" in p for p in await office_posts(stack))
    [audit] = await AuditEntry.filter(subject=matter.number, action="consultation_lapsed")
    assert audit.actor == "system" and (await verify_chain(matter.organisation_id)).ok

    await say(stack, "zhangwei", f"查询 {matter.number}")
    timeline = (await texts_on(stack, "zhangwei", dt.date(2026, 12, 4)))[-1]
    assert "赵志强；逾期未答复" in timeline and "送主要领导 王建国" in timeline

    await tick(stack, at(12, 4, 17, 45))  # once only
    assert len(await texts_on(stack, "wangjianguo", dt.date(2026, 12, 4))) == 1
    await click(stack, "wangjianguo", principal_card["ref"], "can_do")
    assert (await Matter.get(id=matter.id)).state == "resolved"


# --- findings 4 and 5: late decisions and owed replies are chased --------------------------------------


async def test_a_late_refusal_says_it_is_overdue_and_the_reply_is_chased_daily(stack: Stack) -> None:
    await set_clock(stack, at(12, 1, 9, 0))
    await say(stack, "zhangwei", FORM)
    matter = await latest_matter()
    assert matter.due_at == at(12, 4, 17, 30)
    for handle in ("chenguoqing", "liminghua"):
        await click(stack, handle, (await open_cards(stack, handle))[0]["ref"], "escalate")
    await set_clock(stack, at(12, 10, 10, 0))  # four working days after the deadline
    [card] = await open_cards(stack, "wangjianguo")
    await click(stack, "wangjianguo", card["ref"], "confirm_no", {"refusal_category": "law"})
    await say(
        stack, "wangjianguo", "理由：延续申请须提交年度审验合格证明\n建议：补齐年审合格证明后可当场办理"
    )
    notice = (await texts_on(stack, "zhangwei", dt.date(2026, 12, 10)))[-1]
    assert "确实不能办" in notice and "已逾期" in notice and "立即" in notice and "请于" not in notice

    await tick(stack, at(12, 10, 15, 0))
    assert len(await texts_on(stack, "zhangwei", dt.date(2026, 12, 10))) == 1  # nothing more that day
    posts_before = len(await office_posts(stack))
    await tick(stack, at(12, 11, 9, 0))
    [first] = await texts_on(stack, "zhangwei", dt.date(2026, 12, 11))
    assert "已逾期 5 个工作日" in first and "不能办的原因和说“行”建议" in first and "请于" not in first
    office = await office_posts(stack)
    assert len(office) == posts_before + 1 and "首问责任人 张伟" in office[-1]
    await tick(stack, at(12, 11, 16, 0))
    await tick(stack, at(12, 14, 9, 0))
    assert len(await texts_on(stack, "zhangwei", dt.date(2026, 12, 11))) == 1
    [second] = await texts_on(stack, "zhangwei", dt.date(2026, 12, 14))
    assert "已逾期 6 个工作日" in second
    assert len(await office_posts(stack)) == posts_before + 1  # the office is told once

    await say(stack, "zhangwei", f"回复 {matter.number} 电话 已告知需补齐年审证明")
    await tick(stack, at(12, 15, 9, 0))
    assert await texts_on(stack, "zhangwei", dt.date(2026, 12, 15)) == []


async def test_the_first_contact_person_owes_the_reply_and_is_chased(stack: Stack) -> None:
    await set_clock(stack, at(12, 1, 9, 0))
    await say(stack, "zhangwei", FORM)
    await click(stack, "chenguoqing", (await open_cards(stack, "chenguoqing"))[0]["ref"], "can_do")
    await tick(stack, at(12, 4, 8, 30))
    [morning] = await texts_on(stack, "zhangwei", dt.date(2026, 12, 4))
    assert "请于今日 17:30 前回复申请人" in morning
    await tick(stack, at(12, 4, 17, 31))
    late = (await texts_on(stack, "zhangwei", dt.date(2026, 12, 4)))[-1]
    assert "已超过回复期限" in late and "请立即回复申请人" in late
    assert any("首问责任人 张伟" in p for p in await office_posts(stack))
    await tick(stack, at(12, 7, 9, 0))
    [daily] = await texts_on(stack, "zhangwei", dt.date(2026, 12, 7))
    assert "已逾期 1 个工作日" in daily


async def test_a_section_head_holding_an_overdue_step_is_not_asked_to_urge_himself(stack: Stack) -> None:
    await set_clock(stack, at(12, 1, 9, 0))
    await say(stack, "zhangwei", FORM)
    await tick(stack, at(12, 4, 17, 31))
    [own] = await texts_on(stack, "chenguoqing", dt.date(2026, 12, 4))
    assert "请立即处理" in own and "督促" not in own
    [urge] = await texts_on(stack, "liminghua", dt.date(2026, 12, 4))
    assert "督促" in urge and "股室负责人 陈国庆" in urge
    await tick(stack, at(12, 7, 9, 0))
    await tick(stack, at(12, 8, 9, 0))
    for handle in ("chenguoqing", "liminghua"):
        for day in (7, 8):
            [daily] = await texts_on(stack, handle, dt.date(2026, 12, day))
            assert f"已逾期 {day - 6} 个工作日" in daily
