"""The assessment counts the 纪检组's work: cases referred in the year against the section (its
unit and its head), 责任追究 decisions of the year against the person, their section and unit
(经查不予追究 is no decision against anyone); the .xlsx shows the same."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from bot.reports.assessment_xlsx import assessment_workbook
from models.complaints import Complaint, ComplaintState
from models.discipline import Accountability, AccountabilityMeasure, DisciplineCase, DisciplineState
from models.org import Person
from tests.bot.reports.test_assessment import assess, complaint, seeded
from tests.support.analysis_seed import Seeded

__all__ = ["seeded"]


async def _case(seeded: Seeded, number: str, at: dt.datetime, department_id: int) -> DisciplineCase:
    c = await Complaint.get(number=number)
    return await DisciplineCase.create(
        organisation_id=seeded.o.org.id, complaint_id=c.id, department_id=department_id, note="涉嫌不作为",
        referred_by="office", referred_at=at, state=DisciplineState.INVESTIGATING, findings="属实",
    )  # fmt: skip


async def _decide(case: DisciplineCase, person: Person, measure: AccountabilityMeasure, on: dt.date) -> None:
    await Accountability.create(organisation_id=case.organisation_id, case_id=case.id, person_id=person.id,
                                measure=measure, decided_on=on, recorded_by="jijian", recorded_at=dt.datetime.now(dt.UTC))  # fmt: skip


async def test_referrals_and_accountability_of_the_year_count_per_unit_section_and_person(
    seeded: Seeded,
) -> None:
    transport = seeded.o.transport
    await complaint(seeded, 1, 2026, ComplaintState.DONE, transport.id)
    await complaint(seeded, 1, 2025, ComplaintState.DONE, transport.id)
    case = await _case(seeded, "TS-2026-0001", dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC), transport.id)
    old = await _case(seeded, "TS-2025-0001", dt.datetime(2025, 7, 1, 2, tzinfo=dt.UTC), transport.id)
    head = await Person.get(id=transport.head_id)
    await _decide(case, head, AccountabilityMeasure.ADMONITION, dt.date(2026, 7, 10))
    await _decide(case, head, AccountabilityMeasure.NONE, dt.date(2026, 7, 10))  # not held to account
    await _decide(old, head, AccountabilityMeasure.CRITICISM, dt.date(2025, 8, 1))  # another year
    a = await assess(seeded)
    sections = {r.label: (r.referred, r.accountable) for r in a.sections}
    assert sections["运输股"] == (1, 1) and sections["法规股"] == (0, 0)
    assert {r.label: (r.referred, r.accountable) for r in a.units}["局机关"] == (1, 1)
    assert {r.label: (r.referred, r.accountable) for r in a.people}[head.name] == (1, 1)
    book = openpyxl.load_workbook(io.BytesIO(assessment_workbook(a, "桐柏县交通运输局")))
    assert [c.value for c in book["股室"][2]][-2:] == ["移送纪检组", "责任追究"]
    row = next(r for r in book["股室"].iter_rows(min_row=3, values_only=True) if r[1] == "运输股")
    assert row[-2:] == (1, 1)
