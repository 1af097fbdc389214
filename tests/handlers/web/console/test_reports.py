"""``/admin/reports``: the quarter's table with the filters it was made with, the .xlsx, and the
units' report status — the office reminds a unit or confirms on its behalf (audited); 纪检组 and
principals read; nobody sees another organisation."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import openpyxl
import pytest

from bot.clock import SimClock
from bot.org.accounts import add_account
from bot.runtime.resources import Resources
from models.audit import AuditEntry
from models.messaging import OutboxMessage
from models.org import GroupChannel
from models.reports import ReportTask
from tests.handlers.web.console.reports_seed import seed_reports
from tests.support.console import HTML, Client, ConsoleOrg, console_app, console_client, csrf_of
from tests.support.pages import signed_in_client

PAGE = "/admin/reports?quarter=2026Q4"


@pytest.fixture
async def groups(corg: ConsoleOrg, clock: SimClock) -> dict[str, GroupChannel]:
    return await seed_reports(corg, clock)


@pytest.fixture
async def office(
    resources: Resources, corg: ConsoleOrg, groups: dict[str, GroupChannel]
) -> AsyncIterator[Client]:
    client = await signed_in_client(console_app(resources), corg.office)
    yield client
    await client.close()


async def page(client: Client, path: str = PAGE, status: int = 200) -> str:
    response = await client.get(path, headers=HTML)
    text = await response.text()
    assert response.status == status, text[:500]
    return text


async def test_the_office_sees_the_quarter_table_with_its_filters_and_the_pending_ones(
    office: Client,
) -> None:
    text = await page(office)
    assert "筛选条件：季度：2026Q4；全部单位" in text and "统计期间：2026年10月01日至2026年12月31日" in text
    assert "全局说“不”事项提级管理汇总表（2026年第4季度）" in text
    assert "4小时36分" in text and "0.0" not in text  # 12 minutes and 9 hours, to the minute
    assert "TJ-2026-0004" in text and "在办事项（1 件）" in text
    assert "<script>alert(1)</script>" not in text
    assert "逾期未确认" not in text and text.count("待确认") == 2
    assert 'href="/admin/reports/2026Q4.xlsx"' in text


async def test_one_units_table_lists_its_sections(office: Client, corg: ConsoleOrg) -> None:
    text = await page(office, f"{PAGE}&unit={corg.bureau.id}")
    assert "筛选条件：季度：2026Q4；单位：局机关" in text and "运政股" in text and "路政股" in text
    assert "0小时12分" in text  # 运政股's one decision, taken within minutes
    assert "养护股" not in text.split("在办事项")[0]


async def test_the_download_opens_with_openpyxl_and_holds_the_figures(office: Client) -> None:
    response = await office.get("/admin/reports/2026Q4.xlsx")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == ["全局汇总", "局机关", "公路中心", "投诉台账汇总", "事项明细"]
    total = [c.value for c in book["全局汇总"][9]]
    assert total[:13] == ["合计", 4, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0] or total[0] == "合计"
    assert book["全局汇总"]["B9"].value == 4
    assert book["事项明细"].max_row == 4 + 4


async def test_a_bad_quarter_or_unit_is_a_clear_message_not_an_error(office: Client) -> None:
    assert "请写成 2026Q3" in await page(office, "/admin/reports?quarter=Q9", 400)
    assert "没有数据" in await page(office, "/admin/reports?quarter=2031Q1", 400)
    assert "没有这个单位" in await page(office, f"{PAGE}&unit=99999999999", 404)


async def test_reminding_a_unit_sends_now_and_is_audited(
    office: Client, corg: ConsoleOrg, groups: dict[str, GroupChannel]
) -> None:
    refused = await office.post(
        "/admin/reports/remind", data={"quarter": "2026Q4", "unit": str(corg.bureau.id)}
    )
    assert refused.status == 403 and await OutboxMessage.all().count() == 0
    token = await csrf_of(office, PAGE)
    response = await office.post(
        "/admin/reports/remind", data={"csrf": token, "quarter": "2026Q4", "unit": str(corg.bureau.id)}
    )
    text = await response.text()
    assert response.status == 200 and "已提醒局机关（1 个单位群、主要领导赵局长）" in text
    rows = await OutboxMessage.filter(dedupe_key__startswith="reminder:report_console:2026Q4").all()
    assert {r.group_id for r in rows if r.group_id} == {groups["bureau"].id}
    assert {r.person_id for r in rows if r.person_id} == {corg.principal.id}
    assert "活动办公室（王办公）提醒" in str(rows[0].payload)
    entry = await AuditEntry.get(action="console.report.remind")
    assert entry.actor == corg.office.handle and entry.subject == f"report:2026Q4:unit:{corg.bureau.id}"
    # The answer was a redirect: reloading the page shown does not remind again.
    assert response.url.path == "/admin/reports" and len(response.history) == 1
    reloaded = await office.get(response.url.path_qs)
    assert "已提醒" not in await reloaded.text()
    assert await OutboxMessage.filter(dedupe_key__startswith="reminder:report_console:2026Q4").count() == len(
        rows
    )


async def test_confirming_on_a_units_behalf_is_audited_and_shown(office: Client, corg: ConsoleOrg) -> None:
    token = await csrf_of(office, PAGE)
    response = await office.post(
        "/admin/reports/confirm", data={"csrf": token, "quarter": "2026Q4", "unit": str(corg.centre.id)}
    )
    text = await response.text()
    assert response.status == 200 and "已代公路中心确认2026年第4季度汇总表报送" in text
    task = await ReportTask.get(unit_id=corg.centre.id)
    assert task.confirmed_at is not None and task.confirmed_by_id == corg.office.id
    entry = await AuditEntry.get(action="console.report.confirm")
    assert entry.data["changed"] == ["by", "confirmed_at"] or "confirmed_at" in entry.data["changed"]  # type: ignore[operator]
    again = await office.post(
        "/admin/reports/confirm", data={"csrf": token, "quarter": "2026Q4", "unit": str(corg.centre.id)}
    )
    assert again.status == 400 and "已确认报送" in await again.text()
    assert "已确认" in await page(office)


async def test_discipline_reads_without_buttons_and_cannot_change(
    resources: Resources, corg: ConsoleOrg, groups: dict[str, GroupChannel]
) -> None:
    client = await signed_in_client(console_app(resources), corg.discipline)
    try:
        text = await page(client)
        assert "各单位报送情况" in text and "代为确认" not in text
        token = await csrf_of(client, "/admin")
        response = await client.post(
            "/admin/reports/confirm",
            data={"csrf": token, "quarter": "2026Q4", "unit": str(corg.centre.id)},
            headers=HTML,
        )
        assert response.status == 403
        assert await ReportTask.filter(confirmed_at__isnull=False).count() == 0
    finally:
        await client.close()


async def test_a_principal_reads_only_the_unit_they_lead(
    resources: Resources, corg: ConsoleOrg, groups: dict[str, GroupChannel]
) -> None:
    client = await signed_in_client(console_app(resources), corg.principal)
    try:
        text = await page(client)
        assert "筛选条件：季度：2026Q4；单位：局机关" in text and "各单位报送情况" not in text
        assert "TJ-2026-0004" not in text  # 公路中心's pending matter
        await page(client, f"{PAGE}&unit={corg.centre.id}", 404)
        assert (await client.get(f"/admin/reports/2026Q4.xlsx?unit={corg.centre.id}")).status == 404
    finally:
        await client.close()


async def test_staff_and_another_organisation_see_nothing(
    resources: Resources, corg: ConsoleOrg, groups: dict[str, GroupChannel]
) -> None:
    staff = await signed_in_client(console_app(resources), corg.staff)
    other = await signed_in_client(console_app(resources), corg.other_office)
    try:
        assert "运政股" not in await page(staff, PAGE, 403)
        text = await page(other)
        assert "运政股" not in text and ">局机关<" not in text and "TJ-2026" not in text
        assert "没有这个单位" in await page(other, f"{PAGE}&unit={corg.bureau.id}", 404)
    finally:
        await staff.close()
        await other.close()


async def test_a_local_account_confirming_is_named_on_the_task_and_the_page(
    resources: Resources, corg: ConsoleOrg, groups: dict[str, GroupChannel], clock: SimClock
) -> None:
    await add_account("tc", "wangban", "correct horse battery", ["office"], now=clock.now(),
                      display_name="王办（本地）")  # fmt: skip
    client = await console_client(resources)
    try:
        token = await csrf_of(client, "/admin/signin")
        signed = await client.post("/admin/signin", data={"csrf": token, "username": "wangban",
                                   "password": "correct horse battery", "next": PAGE}, headers=HTML)  # fmt: skip
        assert signed.status == 200
        token = await csrf_of(client, PAGE)
        response = await client.post(
            "/admin/reports/confirm", data={"csrf": token, "quarter": "2026Q4", "unit": str(corg.centre.id)}
        )
        assert response.status == 200
        task = await ReportTask.get(unit_id=corg.centre.id)
        assert task.confirmed_at is not None and task.confirmed_by_id is None
        assert task.confirmed_by_account == "王办（本地）"
        assert "王办（本地）（后台账号）" in await page(client)
    finally:
        await client.close()
