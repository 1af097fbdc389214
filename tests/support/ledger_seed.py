"""A small complaints ledger made through the real services (`console_org`'s organisation), for the
ledger's exports and figures. On the test clock's Monday 2026-11-30 09:00:

- ``answered``: 答疑 at once;
- ``done``: 交办 运政股 (5 working days), 办结 on Thursday 12-03, referred to the 纪检组, findings,
  and 张三 held to account (诫勉谈话, 12-03);
- ``overdue``: told “no” with no matter on file (督办), 交办 路政股 for 1 working day, never done;
- ``open``: 交办 运政股 for 10 working days, still being handled;
- ``merged``: 并单 into ``done``;
- ``waiting``: registered, not triaged;
- and one complaint of the other organisation.

The clock ends on Thursday 2026-12-03 10:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.calendar.workdays import load_calendar
from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import merge_complaint, register_complaint
from bot.complaints.taps import give_complaint_words
from bot.complaints.triage import answer_complaint, assign_complaint
from bot.discipline.cases import hold_accountable, record_findings, refer_complaint
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import Resources
from models.complaints import Complaint
from models.discipline import AccountabilityMeasure
from tests.support.console import ConsoleOrg

FORM = {"channel": "phone", "complainant": "刘先生", "phone": "13800000000", "company": "宏达运输",
        "content": "办证被拒"}  # fmt: skip


@dataclass
class Ledger:
    answered: Complaint
    done: Complaint
    overdue: Complaint
    open: Complaint
    merged: Complaint
    waiting: Complaint
    other: Complaint


async def seed_ledger(resources: Resources, corg: ConsoleOrg) -> Ledger:
    clock, settings, org = resources.clock, resources.settings, corg.organisation
    now = clock.now()
    calendar = await load_calendar(settings, org.id, today=now.astimezone(settings.tz).date())
    batch = OutboxBatch(settings, org, now)

    async def new(content: str, organisation_id: int = org.id, **extra: str) -> Complaint:
        form = parse_complaint_form({**FORM, "content": content, **extra})
        return await register_complaint(organisation_id, form, actor="office", now=now, year=now.year)

    answered = await new("咨询年审流程")
    await answer_complaint(answered, "年审不需要到窗口", "电话告知", actor="office", now=now)
    done = await new("运输证延续被拒")
    await assign_complaint(done, corg.yunzheng.id, 5, calendar, batch, actor="office")
    overdue = await new("被告知不能办，没有登记", no_matter_on_file="1")
    await assign_complaint(overdue, corg.luzheng.id, 1, calendar, batch, actor="office")
    still_open = await new("路面修复慢")
    await assign_complaint(still_open, corg.yunzheng.id, 10, calendar, batch, actor="office")
    merged = await new("运输证延续被拒（再次反映）")
    await merge_complaint(merged, done.number, actor="office", now=now)
    waiting = await new("还没分流")
    other = await new("别的局的投诉", corg.other.id)
    later = clock.set(dt.datetime(2026, 12, 3, 10, 0, tzinfo=settings.tz))
    done = await Complaint.get(id=done.id)
    done.prompt_action = "finish"
    await give_complaint_words(OutboxBatch(settings, org, later), corg.head, done, "已补办运输证并电话告知")
    case = await refer_complaint(done, "股室推诿，涉嫌不作为", actor="office", now=later)
    await record_findings(case, "经查属实", actor="jijian", now=later)
    await hold_accountable(case, corg.staff.id, AccountabilityMeasure.ADMONITION, later.date(), actor="jijian",
                           now=later, today=later.date())  # fmt: skip
    return Ledger(answered, await Complaint.get(id=done.id), overdue, still_open, merged, waiting, other)
