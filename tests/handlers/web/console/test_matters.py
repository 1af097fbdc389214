"""The console's list of matters: each filter, filters combined, paging, bad parameters answered
with a Chinese message (never a 500), leaders scoped to their units and sections, and another
organisation's matters never listed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.runtime.resources import Resources
from models.enums import MatterState
from models.matter import Matter
from tests.support.console import HTML, Client, ConsoleOrg, console_app
from tests.support.console_matters import SeededMatters, seed_matters
from tests.support.pages import signed_in_client

NUMBER = re.compile(r'href="/admin/matters/(TJ-\d{4}-\d{4})"')


@pytest.fixture
async def seeded(corg: ConsoleOrg) -> SeededMatters:
    return await seed_matters(corg)


async def listed(client: Client, query: str = "") -> tuple[int, list[str], str]:
    response = await client.get(f"/admin/matters{query}", headers=HTML)
    text = await response.text()
    return response.status, NUMBER.findall(text), text


@pytest.fixture
async def office(resources: Resources, corg: ConsoleOrg, seeded: SeededMatters) -> Client:
    client = await signed_in_client(console_app(resources), corg.office)
    yield client  # type: ignore[misc]
    await client.close()


async def test_the_office_sees_every_matter_of_its_organisation_newest_first(office: Client) -> None:
    status, numbers, text = await listed(office)
    assert status == 200
    assert numbers == ["TJ-2026-0003", "TJ-2026-0004", "TJ-2026-0001", "TJ-2026-0002", "TJ-2026-0005"]
    assert "潜山外单位申请人" not in text and "共 5 件" in text
    assert "筛选条件：全部事项" in text


@pytest.mark.parametrize(
    ("query", "expected", "described"),
    [
        ("?state=pending", ["TJ-2026-0001"], "状态 审批中"),
        ("?state=已办结", ["TJ-2026-0002"], "状态 已办结"),
        ("?outcome=can_do", ["TJ-2026-0004", "TJ-2026-0002"], "审批结果 能办"),
        ("?outcome=confirm_no", ["TJ-2026-0003"], "审批结果 确认不能办"),
        ("?unit={centre}", ["TJ-2026-0004"], "单位 公路中心"),
        ("?department={luzheng}", ["TJ-2026-0002"], "股室 路政股"),
        ("?level=4", ["TJ-2026-0003"], "所在层级 主要领导"),
        ("?quarter=2026Q3", ["TJ-2026-0005"], "季度 2026年第3季度"),
        ("?overdue=1", ["TJ-2026-0004", "TJ-2026-0001"], "仅逾期"),
        ("?q=货运", ["TJ-2026-0001"], "含“货运”"),
        ("?q=换发", ["TJ-2026-0001"], "含“换发”"),
        ("?q=%25", [], "含“%”"),
        ("?q=_", [], "含“_”"),
        ("?q=理由3", ["TJ-2026-0003"], "含“理由3”"),
    ],
)
async def test_each_filter_narrows_the_list_and_the_page_says_so(
    office: Client, corg: ConsoleOrg, query: str, expected: list[str], described: str
) -> None:
    status, numbers, text = await listed(office, query.format(centre=corg.centre.id, luzheng=corg.luzheng.id))
    assert status == 200
    assert numbers == expected
    assert "筛选条件：" + described in text.replace("&#34;", '"')


async def test_filters_combine(office: Client, corg: ConsoleOrg) -> None:
    _, numbers, text = await listed(office, f"?unit={corg.bureau.id}&overdue=1&quarter=2026Q4")
    assert numbers == ["TJ-2026-0001"]
    assert "单位 局机关；季度 2026年第4季度；仅逾期" in text
    _, numbers, _ = await listed(office, f"?department={corg.yunzheng.id}&state=refused&q=理由")
    assert numbers == ["TJ-2026-0003"]


async def test_overdue_rows_are_red_and_nearly_due_rows_yellow(office: Client) -> None:
    _, _, text = await listed(office)
    rows = {found.group(1): row for row in text.split("<tr")[1:] if (found := NUMBER.search(row))}
    assert 'class="red"' in rows["TJ-2026-0001"] and 'class="red"' in rows["TJ-2026-0004"]
    assert 'class="yellow"' in rows["TJ-2026-0003"]
    assert 'class=""' in rows["TJ-2026-0002"]  # closed: never warned


async def test_a_long_list_is_paged_by_fifty_with_the_total(office: Client, corg: ConsoleOrg) -> None:
    base = await Matter.get(number="TJ-2026-0005", organisation_id=corg.organisation.id)
    for seq in range(6, 66):
        await Matter.create(
            organisation_id=corg.organisation.id,
            number=f"TJ-2026-{seq:04d}",
            year=2026,
            seq=seq,
            unit_id=base.unit_id,
            department_id=base.department_id,
            submitter_id=base.submitter_id,
            applicant="批量",
            applicant_phone="1",
            subject="批量事项",
            reason="批量",
            state=MatterState.WITHDRAWN,
            level=2,
            submitted_at=base.submitted_at - dt.timedelta(days=1),
            due_at=base.due_at,
        )
    _, first, text = await listed(office)
    assert len(first) == 50 and "共 65 件，第 1–50 件" in text and "第 1 / 2 页" in text
    assert "?page=2" in text
    _, second, text = await listed(office, "?page=2")
    assert len(second) == 15 and "第 51–65 件" in text
    assert not set(first) & set(second)
    _, beyond, _ = await listed(office, "?page=99")
    assert beyond == second  # past the end: the last page
    _, filtered, text = await listed(office, "?q=批量&page=2")
    assert len(filtered) == 10 and "q=%E6%89%B9%E9%87%8F" in text  # paging keeps the filter


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("?state=done", "状态“done”不存在"),
        ("?outcome=maybe", "审批结果“maybe”不存在"),
        ("?unit=abc", "单位须从列表中选择"),
        ("?department=-1", "股室须从列表中选择"),
        ("?unit=99999999999999999999", "单位须从列表中选择"),
        ("?level=5", "层级只能是 1 到 4"),
        ("?quarter=2026Q5", "看不懂季度"),
        ("?overdue=yes", "“仅逾期”只能是 1"),
        ("?page=0", "页码须是 1 到"),
        ("?page=1e9", "页码须是 1 到"),
        ("?q=" + "长" * 101, "搜索词最多 100 个字"),
    ],
)
async def test_a_bad_parameter_gets_a_chinese_message_not_a_500(
    office: Client, query: str, words: str
) -> None:
    status, numbers, text = await listed(office, query)
    assert status == 400
    assert words in text and "筛选条件有误" in text
    assert len(numbers) == 5  # the whole list is shown under the message


async def test_two_bad_parameters_are_both_named(office: Client) -> None:
    _, _, text = await listed(office, "?level=9&quarter=x")
    assert "层级只能是 1 到 4" in text and "看不懂季度" in text


async def test_a_deputy_sees_only_the_sections_in_their_charge(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.deputy)
    try:
        _, numbers, text = await listed(client)
        assert numbers == ["TJ-2026-0003", "TJ-2026-0001", "TJ-2026-0005"]
        _, numbers, _ = await listed(client, f"?department={corg.luzheng.id}")
        assert numbers == []  # another section's matters stay out, even when asked for
        assert "养护股" not in text.split("<tbody>")[1]
    finally:
        await client.close()


async def test_another_organisations_office_never_sees_these_matters(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.other_office)
    try:
        _, numbers, text = await listed(client)
        assert numbers == ["TJ-2026-0001"]
        assert "潜山外单位申请人" in text and "桐城货运公司" not in text
        _, numbers, _ = await listed(client, f"?unit={corg.bureau.id}")
        assert numbers == []
    finally:
        await client.close()


async def test_staff_without_a_console_role_get_403(
    resources: Resources, corg: ConsoleOrg, seeded: SeededMatters
) -> None:
    client = await signed_in_client(console_app(resources), corg.staff)
    try:
        status, numbers, text = await listed(client)
        assert status == 403 and numbers == [] and "桐城货运公司" not in text
    finally:
        await client.close()


async def test_the_printed_list_carries_its_filters(office: Client) -> None:
    _, _, text = await listed(office, "?overdue=1")
    assert 'class="filters-line"' in text and "筛选条件：仅逾期" in text
    assert "console-matters.css" in text  # the print stylesheet (A4 landscape, filters line shown)
