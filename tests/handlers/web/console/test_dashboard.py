"""``/admin``, the overview: the office sees the seeded quarter's figures, each a link to the
matters list with its filters, charts drawn inline; a deputy sees only their sections, another
organisation none of it, and free text is escaped."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from yarl import URL

from bot.clock import SimClock
from bot.runtime.resources import Resources
from models.matter import Matter
from models.org import Person
from tests.support.console import HTML, Client, ConsoleOrg, Seeded, console_app, seed_quarter
from tests.support.pages import signed_in_client


@pytest.fixture
async def seeded(corg: ConsoleOrg, clock: SimClock) -> Seeded:
    return await seed_quarter(corg, clock.now())


@pytest.fixture
async def as_person(resources: Resources) -> AsyncIterator[list[Client]]:
    clients: list[Client] = []
    yield clients
    for client in clients:
        await client.close()


async def _page(resources: Resources, clients: list[Client], person: Person) -> tuple[int, str]:
    client = await signed_in_client(console_app(resources), person)
    clients.append(client)
    response = await client.get("/admin", headers=HTML)
    return response.status, await response.text()


def _section(html: str, section_id: str) -> str:
    match = re.search(rf'<(section|div)[^>]*id="{section_id}".*?</(section|div)>', html, re.S)
    assert match, section_id
    return match.group(0)


def _link_of(html: str, tile_id: str) -> URL:
    match = re.search(rf'id="{tile_id}"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="{tile_id}"', html)
    assert match, tile_id
    return URL((match.group(1) or match.group(2)).replace("&amp;", "&"))


async def test_the_office_sees_the_figures_each_linking_to_its_matters(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    status, html = await _page(resources, as_person, corg.office)
    assert status == 200
    overdue = _link_of(html, "tile-overdue-steps")
    assert overdue.path == "/admin/matters" and dict(overdue.query) == {"state": "pending", "overdue": "1"}
    assert re.search(r'class="tile red" id="tile-overdue-steps"[^>]*>\s*<span class="figure">1<', html)
    assert re.search(r'class="tile yellow" id="tile-yellow-steps"[^>]*>\s*<span class="figure">1<', html)
    assert 'href="/admin/matters?department=' in html  # the sections' bars
    assert "quarter=2026Q4&amp;outcome=confirm_no" in html  # the refusals of the trend
    assert html.count("<svg") == 2


async def test_the_quarter_comparison_counts_and_links(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    _, html = await _page(resources, as_person, corg.office)
    table = _section(html, "quarter-compare")
    assert re.search(r'受理</th>\s*<td class="number"><a href="/admin/matters\?quarter=2026Q4">6</a>', table)
    assert re.search(r'<a href="/admin/matters\?quarter=2026Q3">2</a>', table)
    assert "+4" in table


async def test_replies_due_today_and_unconfirmed_units_are_listed(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    _, html = await _page(resources, as_person, corg.office)
    due = _section(html, "due-today")
    d = seeded.matters["d"]
    assert f'<li class="yellow"><a href="/admin/matters/{d.id}">{d.number}</a>' in due
    assert "17:30 前" in due
    unconfirmed = _section(html, "unconfirmed")
    assert "公路中心" in unconfirmed and "已逾期" in unconfirmed and "局机关" not in unconfirmed


async def test_a_deputy_sees_only_their_sections(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    status, html = await _page(resources, as_person, corg.deputy)
    assert status == 200
    assert "运政股" in html and "养护股" not in html and "路政股" not in html
    # The office's own pages are not offered to a leader (what they may read is: see test_every_route).
    assert 'href="/admin/calendar"' not in html and 'href="/admin/changes"' not in html


async def test_another_organisation_s_office_sees_none_of_it(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    status, html = await _page(resources, as_person, corg.other_office)
    assert status == 200
    for word in (">运政股<", "养护股", "路政股", "公路中心", seeded.matters["d"].number):
        assert word not in html
    assert "潜山运政股" in html


async def test_a_subject_with_markup_is_shown_escaped(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    await Matter.filter(id=seeded.matters["d"].id).update(subject='<img src=x onerror="alert(1)">')
    await Person.filter(id=corg.office.id).update(name="<b>王</b>")
    _, html = await _page(resources, as_person, corg.office)
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert "<b>王</b>" not in html and "&lt;b&gt;王&lt;/b&gt;" in html


async def test_staff_and_section_heads_get_403_and_no_figures(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    for person in (corg.staff, corg.head):
        status, html = await _page(resources, as_person, person)
        assert status == 403
        assert "运政股" not in html and "审批中事项" not in html


async def test_the_weekly_cards_list_link_shows_the_leaders_red_and_yellow_steps_and_replies(
    resources: Resources, corg: ConsoleOrg, seeded: Seeded, as_person: list[Client]
) -> None:
    client = await signed_in_client(console_app(resources), corg.deputy)  # 运政股's 分管领导
    as_person.append(client)
    response = await client.get("/admin/matters?mine=1&warn=1", headers=HTML)
    html = await response.text()
    assert response.status == 200
    listed = re.findall(r'href="/admin/matters/(TJ-\d{4}-\d{4})"', html)
    m = seeded.matters
    # b overdue at level 3, c due in 3 hours, d's reply due today, e's reply overdue; not a (3 days).
    assert sorted(listed) == sorted(m[k].number for k in "bcde")
    assert "预警（一个工作日内到期或已逾期）" in html
