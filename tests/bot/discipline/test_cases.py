"""Referring a complaint to the 纪检组: one open case per complaint, even when two referrals
arrive at once; a closed case lets it be referred again."""

from __future__ import annotations

import asyncio

from bot.complaints.forms import parse_complaint_form
from bot.complaints.ledger import register_complaint
from bot.discipline.cases import close_case, record_findings, refer_complaint
from bot.discipline.workflow import DisciplineError
from bot.runtime.resources import Resources
from models.complaints import Complaint
from models.discipline import DisciplineCase
from models.org import Organisation

FORM = {"channel": "visit", "complainant": "刘先生", "phone": "13800000000", "content": "办证被拒"}


async def _complaint(resources: Resources) -> Complaint:
    org = await Organisation.create(code="tb", name="桐柏县交通运输局")
    now = resources.clock.now()
    return await register_complaint(
        org.id, parse_complaint_form(FORM), actor="office", now=now, year=now.year
    )


async def test_two_referrals_at_once_open_one_case(resources: Resources) -> None:
    complaint = await _complaint(resources)
    now = resources.clock.now()
    results = await asyncio.gather(
        *(refer_complaint(complaint, f"第 {n} 次移送", actor="office", now=now) for n in (1, 2)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, DisciplineCase) for r in results) == 1
    assert sum(isinstance(r, DisciplineError) for r in results) == 1
    assert await DisciplineCase.filter(complaint_id=complaint.id).count() == 1


async def test_a_closed_case_lets_the_complaint_be_referred_again(resources: Resources) -> None:
    complaint = await _complaint(resources)
    now = resources.clock.now()
    case = await refer_complaint(complaint, "涉嫌不作为", actor="office", now=now)
    await record_findings(case, "不属实", actor="jijian", now=now)
    await close_case(case, actor="jijian", now=now)
    again = await refer_complaint(complaint, "又有新情况", actor="office", now=now)
    assert again.id != case.id and await DisciplineCase.filter(complaint_id=complaint.id).count() == 2
