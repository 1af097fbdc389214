"""The complaint card on every platform: sent through the outbox and the real worker to the
simulator, the fake WeCom and the fake DingTalk, and 签收 tapped as each platform sends a tap."""

from __future__ import annotations

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import assign_complaint
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.cards import CardInstance
from models.complaints import Complaint, ComplaintState
from models.enums import CardKind, Platform
from models.org import Department, Person
from tests.handlers.test_card_kinds import platform_side, queue

pytestmark = pytest.mark.timeout(120)
FORM = {"channel": "letter", "complainant": "王五", "phone": "13700000000", "content": "来信反映办证难"}


@pytest.mark.parametrize("platform", ["simulator", "wecom", "dingtalk-stream"])
async def test_the_section_head_gets_the_complaint_card_and_signs_it(
    platform: str, settings: Settings, clock: SimClock, db: None
) -> None:
    async with platform_side(platform, settings, clock) as (stack, side):
        await stack.import_org()
        department = await Department.filter(head_id__isnull=False).order_by("id").first()
        assert department is not None and department.head_id is not None
        if platform != "simulator":
            target = Platform.WECOM if platform == "wecom" else Platform.DINGTALK
            await Person.filter(id=department.head_id).update(platform=target)
        head = await Person.get(id=department.head_id)
        side.register(head)
        now = clock.now()
        complaint = await register_complaint(head.organisation_id, parse_complaint_form(FORM), actor="office",
                                             now=now, year=now.year)  # fmt: skip
        calendar = await load_calendar(stack.resources.settings, head.organisation_id, today=now.date())

        async def assign(batch: OutboxBatch, _: Person) -> None:
            await assign_complaint(complaint, department.id, 5, calendar, batch, actor="office")

        await queue(stack, head.handle, assign)
        seen = await side.seen(head)
        assert seen.fields["投诉人"] == "王五 13700000000"
        assert seen.buttons == ["签收", "办结", "申请延期"]
        assert seen.status == "已交办" and not seen.closed
        await side.tap(head, await _card_ref(complaint.id), "签收")
        assert (await Complaint.get(id=complaint.id)).state is ComplaintState.SIGNED
        after = await side.seen(head)
        assert (after.status, after.buttons) == ("已签收", ["办结", "申请延期"])


async def _card_ref(complaint_id: int) -> str:
    instance = await CardInstance.get(kind=CardKind.COMPLAINT, subject_id=complaint_id)
    return instance.ref
