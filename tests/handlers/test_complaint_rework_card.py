"""A 差评 sends the complaint back (发回重办): the section head gets its card again on WeCom (the
fake), showing the reason and the 整改 deadline with 办结 / 申诉; a 申诉 tapped there asks for the
evidence, the next message files it, and the card loses its buttons while the office rules."""

from __future__ import annotations

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.complaints.feedback import parse_rating, parse_report, rate, report_back
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.taps import give_complaint_words, open_complaint_prompt
from bot.complaints.triage import assign_complaint
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.cards import CardInstance
from models.complaint_feedback import ComplaintAppeal, RatingSource
from models.complaints import Complaint, ComplaintState
from models.enums import CardKind, Platform
from models.org import Department, Person
from tests.handlers.test_card_kinds import platform_side, queue

pytestmark = pytest.mark.timeout(120)
FORM = {"channel": "letter", "complainant": "王五", "phone": "13700000000", "content": "来信反映办证难"}


async def test_a_bad_rating_gives_the_section_its_card_again_and_it_appeals(
    settings: Settings, clock: SimClock, db: None
) -> None:
    async with platform_side("wecom", settings, clock) as (stack, side):
        await stack.import_org()
        department = await Department.filter(head_id__isnull=False).order_by("id").first()
        assert department is not None and department.head_id is not None
        await Person.filter(id=department.head_id).update(platform=Platform.WECOM)
        head = await Person.get(id=department.head_id)
        side.register(head)
        now = clock.now()
        complaint = await register_complaint(head.organisation_id, parse_complaint_form(FORM), actor="office",
                                             now=now, year=now.year)  # fmt: skip
        calendar = await load_calendar(stack.resources.settings, head.organisation_id, today=now.date())

        async def assign(batch: OutboxBatch, _: Person) -> None:
            await assign_complaint(complaint, department.id, 5, calendar, batch, actor="office")

        await queue(stack, head.handle, assign)
        await Complaint.filter(id=complaint.id).update(state=ComplaintState.DONE)

        async def bad_rating(batch: OutboxBatch, _: Person) -> None:
            fresh = await Complaint.get(id=complaint.id)
            await report_back(fresh, parse_report("phone", "", "已电话告知办理结果", now=batch.now, tz=calendar.tz),
                              actor="office", now=batch.now)  # fmt: skip
            rating = parse_rating("very_dissatisfied", "no", "证件仍未办下来", default_days=3)
            await rate(fresh, rating, RatingSource.COMPLAINANT, calendar, batch, actor="投诉人")

        await queue(stack, head.handle, bad_rating)
        seen = await side.seen(head)
        assert (seen.status, seen.buttons) == ("发回重办", ["办结", "申诉"])
        assert seen.fields["重办理由"] == "证件仍未办下来" and seen.fields["整改期限"]
        newest = (
            await CardInstance.filter(kind=CardKind.COMPLAINT, subject_id=complaint.id)
            .order_by("-id")
            .first()
        )
        assert newest is not None
        await side.tap(head, newest.ref, "申诉")
        assert "申诉的理由和证据" in (await side.texts(head))[-1]

        async def words(batch: OutboxBatch, person: Person) -> str:
            prompt = await open_complaint_prompt(person, batch.now)
            assert prompt is not None
            return await give_complaint_words(
                batch, person, prompt, "已多次电话沟通，证件因对方材料缺失无法办理"
            )

        assert "已提交申诉" in await queue(stack, head.handle, words)
        assert (await Complaint.get(id=complaint.id)).state is ComplaintState.APPEALED
        assert (await ComplaintAppeal.get(complaint_id=complaint.id)).evidence.startswith("已多次电话沟通")
        after = await side.seen(head)
        assert after.closed and after.status == "申诉待裁定"
