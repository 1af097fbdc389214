"""An overdue complaint is chased on the 催办 ladder: at its deadline the section head, the deputy in
charge and the office groups are told once; then the head each working day at 09:00, once a day,
however often the pass runs; a done complaint is no longer chased."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest

from bot.calendar.workdays import load_calendar
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import assign_complaint
from bot.jobs.passes import run_due_work
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaints import Complaint, ComplaintState
from models.messaging import OutboxKind, OutboxMessage
from models.org import Department, Organisation
from tests.handlers.test_commands import World, make_world

CN = ZoneInfo("Asia/Shanghai")
FORM = {"channel": "phone", "complainant": "李四", "phone": "13800000000", "content": "办证被拒"}


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def overdue_texts() -> list[str]:
    rows = await OutboxMessage.filter(kind__in=[OutboxKind.TEXT, OutboxKind.GROUP]).order_by("id")
    return [str(r.payload) for r in rows if "催办" in str(r.payload)]


async def assigned(world: World) -> tuple[Complaint, Department]:
    world.clock.set(dt.datetime(2026, 12, 1, 10, 0, tzinfo=CN))  # a Tuesday
    organisation = await Organisation.first()
    assert organisation is not None
    now = world.clock.now()
    complaint = await register_complaint(organisation.id, parse_complaint_form(FORM), actor="office", now=now,
                                         year=now.year)  # fmt: skip
    department = await Department.filter(organisation=organisation, head_id__isnull=False,
                                         deputy_id__isnull=False).first()  # fmt: skip
    assert department is not None
    calendar = await load_calendar(world.resources.settings, organisation.id, today=now.date())
    batch = OutboxBatch(world.resources.settings, organisation, now)
    await assign_complaint(complaint, department.id, 1, calendar, batch, actor="office")
    return await Complaint.get(id=complaint.id), department


async def test_the_deadline_rung_tells_holder_deputy_and_office_once(world: World) -> None:
    complaint, _ = await assigned(world)
    await run_due_work(world.resources)
    assert await overdue_texts() == []  # not due yet
    world.clock.set(dt.datetime(2026, 12, 2, 17, 45, tzinfo=CN))  # past the deadline (Wed 17:30)
    await run_due_work(world.resources)
    first = await overdue_texts()
    assert len(first) >= 2 and all(complaint.number in t for t in first)
    await run_due_work(world.resources)
    assert await overdue_texts() == first


async def test_then_the_head_is_chased_once_each_working_day(world: World) -> None:
    complaint, department = await assigned(world)
    world.clock.set(dt.datetime(2026, 12, 2, 17, 45, tzinfo=CN))
    await run_due_work(world.resources)
    after_deadline = len(await overdue_texts())
    world.clock.set(dt.datetime(2026, 12, 3, 9, 5, tzinfo=CN))
    await run_due_work(world.resources)
    await run_due_work(world.resources)
    daily = (await overdue_texts())[after_deadline:]
    assert len(daily) == 1 and complaint.number in daily[0]
    rows = await OutboxMessage.filter(kind=OutboxKind.TEXT).order_by("-id").first()
    assert rows is not None and rows.person_id == department.head_id


async def test_a_done_complaint_is_not_chased(world: World) -> None:
    complaint, _ = await assigned(world)
    await Complaint.filter(id=complaint.id).update(state=ComplaintState.DONE)
    world.clock.set(dt.datetime(2026, 12, 3, 9, 5, tzinfo=CN))
    await run_due_work(world.resources)
    assert await overdue_texts() == []
