"""年度绩效考核 of the seeded 2026 (`tests.support.analysis_seed`: 2026Q4 plus one 2026Q3 matter of
运输股 decided 能办 at level 2 in 30 h), and its .xlsx."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.matters.watchlist import Scope
from bot.reports.assessment import Assessment, AssessmentRow, year_assessment
from bot.reports.assessment_xlsx import FIGURE_HEADERS, assessment_workbook
from bot.runtime.resources import Resources
from models.complaint_feedback import (
    AppealRuling,
    ComplaintAppeal,
    ComplaintFeedback,
    RatingSource,
    Satisfaction,
    Solved,
)
from models.complaints import Complaint, ComplaintChannel, ComplaintState
from models.enums import ReplyMethod
from models.org import Person
from tests.support.analysis_seed import NOW, Seeded, seed

CN = ZoneInfo("Asia/Shanghai")
WHOLE = Scope("全单位", whole_organisation=True)


@pytest.fixture
async def seeded(resources: Resources) -> Seeded:
    return await seed()


async def assess(seeded: Seeded, scope: Scope = WHOLE) -> Assessment:
    return await year_assessment(seeded.o.org.id, scope, 2026, tz=CN, now=NOW, step_limit_hours=9.0)


def figures(row: AssessmentRow) -> tuple[object, ...]:
    levels = tuple((lv.can_do_rate, lv.avg_hours) for lv in row.levels.values())
    return (
        row.matters,
        row.steps,
        row.refused,
        row.overdue_steps,
        row.overdue_replies,
        row.reminders,
        levels,
    )


async def test_sections_and_units_of_the_year(seeded: Seeded) -> None:
    a = await assess(seeded)
    rows = {r.label: figures(r) for r in a.sections}
    # 运输股: 7 matters; level 2 decided 6 (3 能办, 50 h), level 3 3 (1, 9 h), level 4 2 (1, 24 h);
    # overdue steps: 10 h, 20 h and 30 h over the 9 h limit and T6's step open past its deadline.
    assert rows["运输股"] == (7, 11, 1, 4, 1, 3, ((50.0, 8.3), (33.3, 3.0), (50.0, 12.0)))
    assert rows["法规股"] == (2, 3, 1, 0, 0, 0, ((0.0, 1.0), (0.0, 1.0), (0.0, 2.0)))
    assert rows["养护股"] == (1, 3, 1, 0, 0, 0, ((0.0, 1.0), (0.0, 1.0), (0.0, 2.0)))
    units = {r.label: r for r in a.units}
    bureau = units["局机关"]
    assert (bureau.matters, bureau.steps, bureau.refused, bureau.overdue_steps, bureau.reminders) == (
        9,
        14,
        2,
        4,
        4,
    )
    assert bureau.levels[2].can_do_rate == 42.9  # 3 of 7
    assert units["公路事业发展中心"].matters == 1
    assert bureau.link == f"/admin/matters?year=2026&unit={seeded.o.bureau.id}"


async def test_people_of_the_year(seeded: Seeded) -> None:
    a = await assess(seeded)
    rows = {r.label: r for r in a.people}
    clerk, head, principal = rows["陈科员"], rows["李股长"], rows["张局长"]
    assert (clerk.matters, clerk.steps, clerk.overdue_replies) == (7, 0, 1)
    assert (head.steps, head.overdue_steps, head.reminders, head.levels[2].can_do_rate) == (6, 3, 3, 50.0)
    assert (principal.steps, principal.refused, principal.overdue_steps, principal.reminders) == (3, 2, 1, 1)
    assert principal.levels[4].can_do_rate == 33.3
    assert principal.levels[4].avg_hours == 8.7
    assert rows["王副局长"].reminders == 0  # a 请督促 copy is not a reminder against him
    assert all(r.complaints == 0 for r in a.people)  # nobody complained in the seeded year
    assert "外人" not in rows


async def test_a_deputy_sees_only_their_sections(seeded: Seeded) -> None:
    a = await assess(seeded, Scope("运输股", department_ids=frozenset({seeded.o.transport.id})))
    assert [r.label for r in a.sections] == ["运输股"]
    assert [(r.label, r.matters, r.reminders) for r in a.units] == [("局机关", 7, 3)]  # 张局长's not in view
    assert "刘科员" not in {r.label for r in a.people}


async def test_the_xlsx_opens_with_the_figures_of_the_page(seeded: Seeded) -> None:
    a = await assess(seeded)
    book = openpyxl.load_workbook(io.BytesIO(assessment_workbook(a, "桐柏县交通运输局")))
    assert book.sheetnames == ["单位", "股室", "个人"]
    sections = book["股室"]
    assert [c.value for c in sections[2]] == ["单位", "股室", *FIGURE_HEADERS]
    transport = next(r for r in sections.iter_rows(min_row=3, values_only=True) if r[1] == "运输股")
    assert transport[:11] == ("局机关", "运输股", 7, 11, 50.0, 33.3, 50.0, 1, 4, 1, 8.3)
    assert transport[-5:] == (3, 0, 0, 0, 0)  # reminders, complaints, 差评, referred, accountability
    units = [r for r in book["单位"].iter_rows(min_row=3, values_only=True)]
    assert [(r[0], r[1]) for r in units] == [("局机关", 9), ("公路事业发展中心", 1)]
    assert book["个人"].page_setup.orientation == "landscape"


async def complaint(seeded: Seeded, seq: int, year: int, state: ComplaintState, department_id: int) -> None:
    at = dt.datetime(year, 6, 1, 2, 0, tzinfo=dt.UTC)
    await Complaint.create(
        organisation_id=seeded.o.org.id, number=f"TS-{year}-{seq:04d}", year=year, seq=seq,
        channel=ComplaintChannel.PHONE, complainant="王先生", phone="13800000000", content="说办不了",
        state=state, department_id=department_id, created_at=at, updated_at=at,
    )  # fmt: skip


async def test_complaints_of_the_year_count_against_the_section_its_unit_and_its_head(seeded: Seeded) -> None:
    transport = seeded.o.transport
    await complaint(seeded, 1, 2026, ComplaintState.ASSIGNED, transport.id)
    await complaint(seeded, 2, 2026, ComplaintState.MERGED, transport.id)  # 并单: counted once
    await complaint(seeded, 1, 2025, ComplaintState.ASSIGNED, transport.id)  # another year
    a = await assess(seeded)
    sections = {r.label: r.complaints for r in a.sections}
    assert sections["运输股"] == 1 and sections["法规股"] == 0
    assert {r.label: r.complaints for r in a.units}["局机关"] == 1
    head = await Person.get(id=transport.head_id)
    assert {r.label: r.complaints for r in a.people}[head.name] == 1


async def _rated(seeded: Seeded, number: str, satisfaction: Satisfaction, rnd: int = 1) -> ComplaintFeedback:
    complaint = await Complaint.get(number=number)
    at = dt.datetime(2026, 6, 2, 2, 0, tzinfo=dt.UTC)
    return await ComplaintFeedback.create(
        organisation_id=seeded.o.org.id, complaint=complaint, round=rnd, method=ReplyMethod.PHONE, told_at=at,
        summary="已电话告知", recorded_by="office", recorded_at=at, satisfaction=satisfaction, solved=Solved.NO,
        rating_source=RatingSource.OFFICE, rated_at=at,
    )  # fmt: skip


async def test_bad_ratings_count_against_the_section_unless_the_appeal_was_upheld(seeded: Seeded) -> None:
    transport, head = seeded.o.transport, await Person.get(id=seeded.o.transport.head_id)
    for seq in (1, 2, 3, 4):
        await complaint(seeded, seq, 2026, ComplaintState.REOPENED, transport.id)
    await _rated(seeded, "TS-2026-0001", Satisfaction.DISSATISFIED)
    await _rated(seeded, "TS-2026-0001", Satisfaction.VERY_DISSATISFIED, rnd=2)  # the same case twice: once
    await _rated(seeded, "TS-2026-0002", Satisfaction.VERY_DISSATISFIED)
    await _rated(seeded, "TS-2026-0003", Satisfaction.BASIC)  # 基本满意 is no 差评
    upheld = await _rated(seeded, "TS-2026-0004", Satisfaction.DISSATISFIED)
    await ComplaintAppeal.create(
        organisation_id=seeded.o.org.id, complaint_id=upheld.complaint_id, feedback=upheld, evidence="有受理记录",
        filed_by="section", filed_at=upheld.told_at, ruling=AppealRuling.UPHELD, ruled_by="office",
    )  # fmt: skip
    a = await assess(seeded)
    assert {r.label: r.bad_ratings for r in a.sections}["运输股"] == 2
    assert {r.label: r.bad_ratings for r in a.sections}["法规股"] == 0
    assert {r.label: r.bad_ratings for r in a.units}["局机关"] == 2
    assert {r.label: r.bad_ratings for r in a.people}[head.name] == 2
    book = openpyxl.load_workbook(io.BytesIO(assessment_workbook(a, "桐柏县交通运输局")))
    row = next(r for r in book["股室"].iter_rows(min_row=3, values_only=True) if r[1] == "运输股")
    assert row[2 + FIGURE_HEADERS.index("差评")] == 2 and row[2 + FIGURE_HEADERS.index("被投诉")] == 4
