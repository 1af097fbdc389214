"""The section head's complaint card in the simulator: 签收, then 办结 asks for the feedback and the
next message is it; 申请延期 asks for the reason; a tap delivered twice is applied once; someone
else's tap changes nothing; the card loses its buttons once the complaint is done."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.calendar.workdays import load_calendar
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import TriageError, assign_complaint, rule_extension
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaints import Complaint, ComplaintEvent, ComplaintState
from models.enums import GroupKind
from models.messaging import OutboxMessage
from models.org import Department, GroupChannel, Organisation, Person
from tests.handlers.test_commands import World, make_world

FORM = {"channel": "phone", "complainant": "李四", "phone": "13800000000", "content": "办证被拒"}


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def assigned(world: World) -> tuple[Complaint, Person]:
    organisation = await Organisation.first()
    assert organisation is not None
    now = world.clock.now()
    complaint = await register_complaint(organisation.id, parse_complaint_form(FORM), actor="office", now=now,
                                         year=now.year)  # fmt: skip
    department = await Department.filter(organisation=organisation, head_id__isnull=False).first()
    assert department is not None and department.head_id is not None
    calendar = await load_calendar(world.resources.settings, organisation.id, today=now.date())
    batch = OutboxBatch(world.resources.settings, organisation, now)
    await assign_complaint(complaint, department.id, 5, calendar, batch, actor="office")
    return await Complaint.get(id=complaint.id), await Person.get(id=department.head_id)


async def test_the_head_signs_then_finishes_with_feedback(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert complaint.number in card["title"] and [b["text"] for b in card["buttons"]] == [
        "签收",
        "办结",
        "申请延期",
    ]
    assert f"/m/complaints/{complaint.number}" in card["body"]  # the section's phone page, not the console's
    signed = await world.click(head.handle, card["ref"], "sign")
    assert signed.ok and "已签收" in signed.message
    asked = await world.click(head.handle, card["ref"], "finish")
    assert asked.ok and "办结反馈" in asked.message
    done = await world.say(head.handle, "已为企业补办，电话告知投诉人")
    assert done.ok and "已办结" in done.message, done.message
    saved = await Complaint.get(id=complaint.id)
    assert (saved.state, saved.feedback) == (ComplaintState.DONE, "已为企业补办，电话告知投诉人")
    assert [c for c in await world.cards(head.handle) if not c["closed"]] == []
    whats = [e.what for e in await ComplaintEvent.filter(complaint_id=complaint.id).order_by("id")]
    assert whats == ["register", "assign", "sign", "finish"]


async def test_an_extension_request_asks_for_the_reason(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert (await world.click(head.handle, card["ref"], "extend")).ok
    reply = await world.say(head.handle, "需要现场核查")
    assert reply.ok and "申请延期" in reply.message
    saved = await Complaint.get(id=complaint.id)
    assert (saved.state, saved.extension_reason) == (ComplaintState.EXTENSION_REQUESTED, "需要现场核查")


async def test_the_same_tap_delivered_twice_is_applied_once(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    first = await world.click(head.handle, card["ref"], "sign", dedupe="dup-1")
    again = await world.click(head.handle, card["ref"], "sign", dedupe="dup-1")
    assert first.ok
    assert await ComplaintEvent.filter(complaint_id=complaint.id, what="sign").count() == 1
    assert "已处理过" in again.message


async def test_signing_twice_is_refused_in_chinese(world: World) -> None:
    _, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert (await world.click(head.handle, card["ref"], "sign")).ok
    again = await world.click(head.handle, card["ref"], "sign")
    assert not again.ok and "不能签收" in again.message


async def test_someone_elses_tap_changes_nothing(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    stranger = await Person.exclude(id=head.id).first()
    assert stranger is not None
    reply = await world.click(stranger.handle, card["ref"], "sign")
    assert "不是发给你的" in reply.message or not reply.ok
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.ASSIGNED


async def test_the_office_grants_an_extension_and_the_deadline_moves_on(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert (await world.click(head.handle, card["ref"], "extend")).ok
    assert (await world.say(head.handle, "需要现场核查")).ok
    asked = await Complaint.get(id=complaint.id)
    organisation = await Organisation.get(id=asked.organisation_id)
    calendar = await load_calendar(world.resources.settings, organisation.id, today=world.clock.now().date())
    batch = OutboxBatch(world.resources.settings, organisation, world.clock.now())
    with pytest.raises(TriageError, match="延期天数"):
        await rule_extension(asked, True, 0, calendar, batch, actor="office")
    await rule_extension(asked, True, 3, calendar, batch, actor="office")
    saved = await Complaint.get(id=complaint.id)
    assert saved.state is ComplaintState.SIGNED
    assert saved.deadline_at is not None and complaint.deadline_at is not None
    assert saved.deadline_at > complaint.deadline_at and saved.next_reminder_at == saved.deadline_at
    assert (await world.open_card(head.handle))["status"] == "已签收"


async def test_a_refused_extension_keeps_the_deadline(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert (await world.click(head.handle, card["ref"], "extend")).ok
    assert (await world.say(head.handle, "人手不够")).ok
    asked = await Complaint.get(id=complaint.id)
    organisation = await Organisation.get(id=asked.organisation_id)
    calendar = await load_calendar(world.resources.settings, organisation.id, today=world.clock.now().date())
    batch = OutboxBatch(world.resources.settings, organisation, world.clock.now())
    await rule_extension(asked, False, 0, calendar, batch, actor="office")
    saved = await Complaint.get(id=complaint.id)
    assert (saved.state, saved.deadline_at) == (ComplaintState.SIGNED, complaint.deadline_at)


async def test_an_extension_request_is_posted_to_the_office_group(world: World) -> None:
    complaint, head = await assigned(world)
    card = await world.open_card(head.handle)
    assert (await world.click(head.handle, card["ref"], "extend")).ok
    assert (await world.say(head.handle, "需要现场核查")).ok
    offices = await GroupChannel.filter(organisation_id=complaint.organisation_id, kind=GroupKind.OFFICE)
    assert offices
    posts = await OutboxMessage.filter(dedupe_key__startswith=f"complaint:{complaint.id}:extension:")
    assert sorted(p.group_id for p in posts) == sorted(g.id for g in offices)
    text = str(posts[0].payload["markdown"])
    assert (
        "【申请延期】" in text and complaint.number in text and "需要现场核查" in text and head.name in text
    )
