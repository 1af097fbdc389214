"""分析研判 and 考核 pages: who sees what, the links behind the figures, bad input, escaping, and
the .xlsx download (the figures themselves are tested in ``tests/bot/reports``)."""

from __future__ import annotations

import datetime as dt
import html
import io
from decimal import Decimal

import openpyxl
import pytest

from bot.runtime.resources import Resources
from models.catalog import CatalogItem
from models.enums import Action, RefusalCategory, StepStatus
from models.matter import DecisionStep, Matter
from models.org import Department, Person
from tests.support.console import HTML, ConsoleOrg, console_app, console_client
from tests.support.pages import signed_in_client

XSS = "<script>alert(1)</script>"
MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


async def refused_matter(
    corg: ConsoleOrg, dept: Department, submitter: Person, seq: int, **kw: object
) -> Matter:
    matter = await Matter.create(
        organisation=corg.organisation, number=f"TJ-2026-{seq:04d}", year=2026, seq=seq,
        unit_id=dept.unit_id, department=dept, submitter=submitter, applicant=f"{XSS}申请人",
        applicant_phone="1", subject="s", reason="r", state="closed", level=4, outcome=Action.CONFIRM_NO,
        refusal_category=RefusalCategory.LAW, submitted_at=MONDAY, due_at=MONDAY + dt.timedelta(days=3),
        decided_at=MONDAY + dt.timedelta(hours=5), decided_level=4, **kw,
    )  # fmt: skip
    await DecisionStep.create(
        organisation_id=matter.organisation_id, matter=matter, level=4, approver=corg.principal,
        status=StepStatus.DECIDED, decision=Action.CONFIRM_NO, decided_at=matter.decided_at,
        working_hours=Decimal("5"), opened_at=MONDAY,
    )  # fmt: skip
    return matter


@pytest.fixture
async def matters(corg: ConsoleOrg) -> ConsoleOrg:
    item = await CatalogItem.create(
        organisation=corg.organisation,
        department=corg.yunzheng,
        code="YZ-01",
        name=f"{XSS}许可",
        category="行政许可",
    )
    await refused_matter(corg, corg.yunzheng, corg.staff, 1, catalog_item_id=item.id)
    await refused_matter(corg, corg.yanghu, corg.staff, 2, policy_basis="《公路法》")
    return corg


async def page(resources: Resources, person: Person, path: str) -> tuple[int, str]:
    client = await signed_in_client(console_app(resources), person)
    try:
        response = await client.get(path, headers=HTML)
        return response.status, await response.text()
    finally:
        await client.close()


async def test_the_office_sees_the_quarter_with_links_to_the_matters(
    resources: Resources, matters: ConsoleOrg
) -> None:
    status, text = await page(resources, matters.office, "/admin/analysis?quarter=2026Q4")
    assert status == 200
    links = html.unescape(text)
    assert "/admin/matters?quarter=2026Q4&outcome=confirm_no" in links
    assert "/admin/matters?quarter=2026Q4&no_legal_basis=1" in links
    assert "/admin/matters?quarter=2026Q4&refusal_category=law" in links
    assert "/admin/matters?quarter=2026Q4&catalog=YZ-01&outcome=confirm_no" in links
    assert f"/admin/matters?quarter=2026Q4&department={matters.yanghu.id}&level=4" in links
    assert "样本不足" in text and "运政股" in text and "养护股" in text


async def test_free_text_is_shown_escaped(resources: Resources, matters: ConsoleOrg) -> None:
    status, text = await page(resources, matters.office, "/admin/analysis?quarter=2026Q4")
    assert status == 200
    assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;许可" in text


async def test_a_deputy_sees_only_the_sections_in_their_charge(
    resources: Resources, matters: ConsoleOrg
) -> None:
    status, text = await page(resources, matters.deputy, "/admin/analysis?quarter=2026Q4")
    assert status == 200
    assert "运政股" in text and "养护股" not in text
    status, text = await page(resources, matters.deputy, "/admin/assessment?year=2026")
    assert status == 200
    assert "运政股" in text and "养护股" not in text and "公路中心" not in text


async def test_another_organisation_sees_none_of_it(resources: Resources, matters: ConsoleOrg) -> None:
    for path in ("/admin/analysis?quarter=2026Q4", "/admin/assessment?year=2026"):
        status, text = await page(resources, matters.other_office, path)
        assert status == 200
        assert "运政股" not in text and "赵局长" not in text and "YZ-01" not in text


@pytest.mark.parametrize("path", ["/admin/analysis", "/admin/assessment", "/admin/assessment.xlsx"])
async def test_staff_get_403_and_anonymous_browsers_sign_in(
    resources: Resources, matters: ConsoleOrg, path: str
) -> None:
    status, text = await page(resources, matters.staff, path)
    assert status == 403 and "运政股" not in text
    client = await console_client(resources)
    try:
        response = await client.get(path, headers=HTML, allow_redirects=False)
        assert response.status == 302
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/admin/analysis?quarter=2026Q9", "季度"),
        ("/admin/analysis?quarter=9998Q4", "2000 至 2100"),
        ("/admin/assessment?year=abc", "年份请写成"),
        ("/admin/assessment.xlsx?year=99999999999999", "年份请写成"),
    ],
)
async def test_a_bad_quarter_or_year_says_what_to_fix(
    resources: Resources, matters: ConsoleOrg, path: str, words: str
) -> None:
    status, text = await page(resources, matters.office, path)
    assert status == 400 and words in text


async def test_the_assessment_page_and_its_xlsx(resources: Resources, matters: ConsoleOrg) -> None:
    status, text = await page(resources, matters.office, "/admin/assessment?year=2026")
    assert status == 200
    assert "赵局长" in text and "/admin/assessment.xlsx?year=2026" in text
    assert f"/admin/matters?year=2026&amp;department={matters.yunzheng.id}" in text
    client = await signed_in_client(console_app(resources), matters.office)
    try:
        response = await client.get("/admin/assessment.xlsx?year=2026")
        assert response.status == 200
        book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    finally:
        await client.close()
    people = {r[1]: r for r in book["个人"].iter_rows(min_row=3, values_only=True)}
    assert people["赵局长"][3] == 2  # two steps decided
    assert people["赵局长"][7] == 2  # two refusals
    sections = {r[1]: r for r in book["股室"].iter_rows(min_row=3, values_only=True)}
    assert sections["运政股"][2] == 1 and sections["养护股"][2] == 1


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ("quarter=2026Q4&no_legal_basis=1", {"TJ-2026-0001"}),  # the other one cites 《公路法》
        ("quarter=2026Q4&catalog=YZ-01&outcome=confirm_no", {"TJ-2026-0001"}),
        ("quarter=2026Q4&refusal_category=law", {"TJ-2026-0001", "TJ-2026-0002"}),
        ("quarter=2026Q4&settled_level=2", set()),  # both were refused, none settled 能办
    ],
)
async def test_a_figures_link_lists_exactly_the_matters_behind_it(
    resources: Resources, matters: ConsoleOrg, query: str, listed: set[str]
) -> None:
    status, text = await page(resources, matters.office, f"/admin/matters?{query}")
    assert status == 200
    shown = {n for n in ("TJ-2026-0001", "TJ-2026-0002") if f">{n}<" in text}
    assert shown == listed, query


async def test_a_bad_figure_filter_says_what_to_fix(resources: Resources, matters: ConsoleOrg) -> None:
    status, text = await page(resources, matters.office, "/admin/matters?refusal_category=nonsense")
    assert status == 400 and "refusal_category" in text and "TJ-2026-0001" in text  # the whole list below
