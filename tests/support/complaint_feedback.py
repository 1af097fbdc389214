"""Complaints ready for feedback (回访), for the console's and the public lookup page's tests.

``finished_complaint(resources, corg)``: registered by the office for ``刘先生`` (phone ending 1234),
assigned to 运政股 (its head got the card) and finished (办结) by the section.
``reported_complaint(resources, corg)``: the same, and the office has told the complainant (电话)."""

from __future__ import annotations

from bot.calendar.workdays import load_calendar
from bot.complaints.feedback import parse_report, report_back
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.complaints.triage import assign_complaint
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaints import Complaint, ComplaintState
from tests.support.console import ConsoleOrg

FORM = {"channel": "phone", "complainant": "刘先生", "phone": "13800001234", "content": "办证被拒"}
SUMMARY = "已为企业补办道路运输证，电话告知"


async def finished_complaint(resources: Resources, corg: ConsoleOrg, **form: str) -> Complaint:
    now = resources.clock.now()
    complaint = await register_complaint(corg.organisation.id, parse_complaint_form({**FORM, **form}),
                                         actor="office", now=now, year=now.year)  # fmt: skip
    calendar = await load_calendar(resources.settings, corg.organisation.id, today=now.date())
    batch = OutboxBatch(resources.settings, corg.organisation, now)
    await assign_complaint(complaint, corg.yunzheng.id, 5, calendar, batch, actor="office")
    await Complaint.filter(id=complaint.id).update(state=ComplaintState.DONE, feedback="已补办")
    return await Complaint.get(id=complaint.id)


async def reported_complaint(resources: Resources, corg: ConsoleOrg, summary: str = SUMMARY) -> Complaint:
    complaint = await finished_complaint(resources, corg)
    now = resources.clock.now()
    report = parse_report("phone", "", summary, now=now, tz=resources.settings.tz)
    await report_back(complaint, report, actor="office", now=now)
    return await Complaint.get(id=complaint.id)
