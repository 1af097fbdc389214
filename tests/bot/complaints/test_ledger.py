"""The office's ledger: registering (validated in Chinese), the complainant's earlier matters
(same phone or company, 12 months, own organisation only), 督办 when told “no” with no matter on
file, 并单, triage (答疑 / 交办 with a working-day deadline) and the assessment's counts."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.calendar.workdays import load_calendar
from bot.complaints.counts import complaints_against
from bot.complaints.forms import ComplaintFormError, parse_complaint_form
from bot.complaints.ledger import LedgerError, link_matter, merge_complaint, register_complaint
from bot.complaints.linked import linked_for
from bot.complaints.numbers import format_complaint_number
from bot.complaints.triage import TriageError, answer_complaint, assign_complaint
from bot.complaints.workflow import TransitionError
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaints import Complaint, ComplaintEvent, ComplaintState
from models.matter import Matter
from models.messaging import OutboxKind, OutboxMessage
from models.org import Department, Organisation
from tests.handlers.test_commands import World, make_world

GOOD = {
    "channel": "phone",
    "complainant": "李四",
    "phone": "13800000000",
    "company": "",
    "content": "办证被拒",
}


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def register(world: World, **overrides: str) -> Complaint:
    organisation = await Organisation.first()
    assert organisation is not None
    now = world.clock.now()
    return await register_complaint(
        organisation.id, parse_complaint_form({**GOOD, **overrides}), actor="office", now=now, year=now.year
    )


async def assign(world: World, complaint: Complaint, days: int = 5) -> Department:
    organisation = await Organisation.get(id=complaint.organisation_id)
    department = await Department.filter(organisation=organisation, head_id__isnull=False).first()
    assert department is not None
    calendar = await load_calendar(world.resources.settings, organisation.id, today=world.clock.now().date())
    batch = OutboxBatch(world.resources.settings, organisation, world.clock.now())
    return await assign_complaint(complaint, department.id, days, calendar, batch, actor="office")


def test_a_form_with_every_field_wrong_names_every_problem() -> None:
    with pytest.raises(ComplaintFormError) as caught:
        parse_complaint_form({"channel": "fax", "complainant": "", "phone": "abc", "content": "x" * 6000})
    assert len(caught.value.problems) == 4
    assert "受理渠道" in str(caught.value) and "联系电话" in str(caught.value)


async def test_registration_numbers_the_complaint_and_starts_its_timeline(world: World) -> None:
    complaint = await register(world)
    assert complaint.number == format_complaint_number(world.clock.now().year, 1)
    assert complaint.state is ComplaintState.REGISTERED
    assert [e.what for e in await ComplaintEvent.filter(complaint=complaint)] == ["register"]


async def test_32_registrations_at_once_get_numbers_without_gaps(world: World) -> None:
    complaints = await asyncio.gather(*(register(world, content=f"第{n}件") for n in range(32)))
    year = world.clock.now().year
    assert sorted(c.number for c in complaints) == [format_complaint_number(year, n) for n in range(1, 33)]


async def test_earlier_matters_of_the_same_phone_within_12_months_are_listed(world: World) -> None:
    recent = await world.submit()
    old = await world.submit()
    await Matter.filter(id=old.id).update(submitted_at=world.clock.now() - dt.timedelta(days=400))
    complaint = await register(world)
    assert [m.id for m in await linked_for(complaint, world.clock.now())] == [recent.id]


async def test_another_organisations_matters_are_never_listed_or_linked(world: World) -> None:
    matter = await world.submit()
    other = await Organisation.create(code="other", name="别的局")
    await Matter.filter(id=matter.id).update(organisation_id=other.id)
    complaint = await register(world)
    assert await linked_for(complaint, world.clock.now()) == []
    with pytest.raises(LedgerError, match="找不到该事项"):
        await link_matter(complaint, matter.id, actor="office", now=world.clock.now())


async def test_matters_of_the_same_company_are_listed_and_linked_in_one_click(world: World) -> None:
    matter = await world.submit()
    await Matter.filter(id=matter.id).update(applicant="顺达物流有限公司", applicant_phone="13900000000")
    complaint = await register(world, company="顺达物流")
    assert [m.id for m in await linked_for(complaint, world.clock.now())] == [matter.id]
    await link_matter(complaint, matter.id, actor="office", now=world.clock.now())
    assert (await Complaint.get(id=complaint.id)).matter_id == matter.id


async def test_told_no_with_no_matter_opens_a_supervision_on_the_section(world: World) -> None:
    complaint = await register(world, no_matter_on_file="1")
    department = await assign(world, complaint)
    texts = [m.payload for m in await OutboxMessage.all()]
    assert any("督办" in str(p) for p in texts)
    assert "supervise" in [e.what for e in await ComplaintEvent.filter(complaint=complaint)]
    counts = await complaints_against(complaint.organisation_id, complaint.year)
    assert counts[department.id] == {"total": 1, "no_matter": 1}


async def test_an_ordinary_assignment_sets_a_deadline_and_sends_the_head_a_card(world: World) -> None:
    complaint = await register(world)
    await assign(world, complaint, days=3)
    saved = await Complaint.get(id=complaint.id)
    assert saved.state is ComplaintState.ASSIGNED
    assert saved.deadline_at is not None and saved.deadline_at > world.clock.now()
    assert saved.next_reminder_at == saved.deadline_at
    sent = await OutboxMessage.all()
    assert [m.kind for m in sent] == [OutboxKind.CARD]
    assert "督办" not in str(sent[0].payload) and complaint.number in str(sent[0].payload)


async def test_out_of_scope_is_answered_with_how_the_complainant_was_told(world: World) -> None:
    complaint = await register(world)
    with pytest.raises(TriageError, match="告知方式"):
        await answer_complaint(complaint, "不属于本局职责", "", actor="office", now=world.clock.now())
    await answer_complaint(complaint, "不属于本局职责", "电话告知", actor="office", now=world.clock.now())
    saved = await Complaint.get(id=complaint.id)
    assert (saved.state, saved.answer_method) == (ComplaintState.ANSWERED, "电话告知")
    with pytest.raises(TransitionError):
        await assign(world, saved)


async def test_a_repeated_complaint_is_merged_into_the_earlier_case(world: World) -> None:
    first = await register(world)
    world.clock.advance(dt.timedelta(minutes=5))
    second = await register(world)
    with pytest.raises(LedgerError, match="更早"):
        await merge_complaint(first, second.number, actor="office", now=world.clock.now())
    await merge_complaint(second, first.number, actor="office", now=world.clock.now())
    saved = await Complaint.get(id=second.id)
    assert (saved.state, saved.merged_into_id) == (ComplaintState.MERGED, first.id)
    assert "merged_in" in [e.what for e in await ComplaintEvent.filter(complaint=first)]
