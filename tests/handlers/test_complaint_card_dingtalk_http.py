"""The complaint card on DingTalk's HTTP-callback variant, through the real stack and worker against
the fake DingTalk: 签收 and 办结 come as DingTalk posts card callbacks (signed ``/dingtalk/card``),
the feedback as a robot message (signed ``/dingtalk/robot``); 申请延期 tells the office group."""

from __future__ import annotations

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import assign_complaint
from bot.messengers.dingtalk.signing import robot_sign
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.cards import CardInstance
from models.complaints import Complaint, ComplaintState
from models.enums import CardKind, Platform
from models.messaging import InboxEntry
from models.org import Department, GroupChannel, Person
from tests.bot.messengers.dingtalk.test_flow import applied
from tests.fakes.dingtalk_openapi import CLIENT_SECRET
from tests.handlers.test_card_kinds import platform_side, queue
from tests.support.card_platforms import DingTalkSide
from tests.support.stack import Stack

pytestmark = pytest.mark.timeout(120)
FORM = {"channel": "phone", "complainant": "王五", "phone": "13700000000", "content": "电话反映办证难"}


async def _say(stack: Stack, side: DingTalkSide, person: Person, text: str, msg_id: str) -> None:
    """``person`` writes to the robot as DingTalk's HTTP mode posts it."""
    data = {
        "conversationType": "1", "conversationId": f"cid-{person.handle}", "senderStaffId": person.dingtalk_userid,
        "senderId": "$:LWCP_v1:$opaque", "senderNick": person.handle, "msgId": msg_id, "msgtype": "text",
        "text": {"content": text}, "robotCode": side.fake.client_id,
    }  # fmt: skip
    now = str(int(stack.resources.clock.now().timestamp() * 1000))
    headers = {"timestamp": now, "sign": robot_sign(now, CLIENT_SECRET)}
    response = await stack.client.post("/dingtalk/robot", json=data, headers=headers)
    assert response.status == 200, await response.text()
    await applied(f"dingtalk:msg:{msg_id}")
    await stack.drain()


async def _assigned(stack: Stack, clock: SimClock) -> tuple[Complaint, Person]:
    await stack.import_org()
    department = await Department.filter(head_id__isnull=False).order_by("id").first()
    assert department is not None and department.head_id is not None
    await Person.filter(id=department.head_id).update(platform=Platform.DINGTALK)
    await GroupChannel.filter(kind="office").update(platform=Platform.DINGTALK)
    head = await Person.get(id=department.head_id)
    now = clock.now()
    complaint = await register_complaint(head.organisation_id, parse_complaint_form(FORM), actor="office",
                                         now=now, year=now.year)  # fmt: skip
    calendar = await load_calendar(stack.resources.settings, head.organisation_id, today=now.date())

    async def assign(batch: OutboxBatch, _: Person) -> None:
        await assign_complaint(complaint, department.id, 5, calendar, batch, actor="office")

    await queue(stack, head.handle, assign)
    return complaint, head


async def _ref(complaint: Complaint) -> str:
    return (await CardInstance.get(kind=CardKind.COMPLAINT, subject_id=complaint.id)).ref


async def test_sign_and_finish_through_dingtalk_http_callbacks(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with platform_side("dingtalk-http", settings, clock) as (stack, side):
        assert isinstance(side, DingTalkSide)
        complaint, head = await _assigned(stack, clock)
        seen = await side.seen(head)
        assert (seen.buttons, seen.status) == (["签收", "办结", "申请延期"], "已交办")
        await side.tap(head, await _ref(complaint), "签收")
        assert (await Complaint.get(id=complaint.id)).state is ComplaintState.SIGNED
        assert (await side.seen(head)).buttons == ["办结", "申请延期"]
        await side.tap(head, await _ref(complaint), "办结")
        assert any("办结反馈" in t for t in await side.texts(head))
        await _say(stack, side, head, "已为企业补办，电话告知投诉人", "msgFinish1")
        saved = await Complaint.get(id=complaint.id)
        assert (saved.state, saved.feedback) == (ComplaintState.DONE, "已为企业补办，电话告知投诉人")
        after = await side.seen(head)
        assert (after.status, after.closed) == ("已办结", True)
        assert await InboxEntry.filter(key__startswith="dingtalk:card:").count() == 2


async def test_an_extension_asked_on_dingtalk_is_posted_to_the_office_group(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with platform_side("dingtalk-http", settings, clock) as (stack, side):
        assert isinstance(side, DingTalkSide)
        complaint, head = await _assigned(stack, clock)
        await side.tap(head, await _ref(complaint), "申请延期")
        await _say(stack, side, head, "需要现场核查两处站点", "msgExtend1")
        assert (await Complaint.get(id=complaint.id)).state is ComplaintState.EXTENSION_REQUESTED
        posted = [str(m["param"]) for m in side.fake.group_messages]
        notice = [p for p in posted if "申请延期" in p]
        assert len(notice) == 1, posted
        assert (
            complaint.number in notice[0] and "需要现场核查两处站点" in notice[0] and head.name in notice[0]
        )
        assert f"/admin/complaints/{complaint.number}" in notice[0]
