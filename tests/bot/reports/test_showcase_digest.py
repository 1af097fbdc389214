"""The office's quarterly digest publicises the 典型案例 the office marked in that quarter."""

from __future__ import annotations

import pytest

from bot.clock import SimClock
from bot.reports.digest import digest_markdown
from bot.runtime.resources import Resources
from models.matter import Matter
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter


@pytest.fixture
async def org(resources: Resources) -> Org:
    o = await build_org()
    await make_matter(o, o.transport, "s1", at(2026, 11, 2, 9, 0))
    await make_matter(o, o.transport, "s1", at(2026, 11, 3, 9, 0))
    return o


async def mark(number_index: int, note: str, when: tuple[int, int, int]) -> Matter:
    matter = (await Matter.all().order_by("id"))[number_index]
    await Matter.filter(id=matter.id).update(showcase=True, showcase_note=note, showcase_at=at(*when, 10, 0))
    return await Matter.get(id=matter.id)


async def test_the_office_digest_lists_the_quarters_typical_cases(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    clock.set(at(2027, 1, 4, 10, 0))
    marked = await mark(0, "分管领导协调后当天办结，群众点赞", (2026, 12, 1))
    await mark(1, "上季度的案例", (2026, 9, 30))
    office = await digest_markdown(resources, org.org, "2026Q4")
    assert "#### 典型案例（本季度 1 件）" in office
    assert f"- {marked.number}" in office and "分管领导协调后当天办结，群众点赞" in office
    assert "上季度的案例" not in office

    unit = await digest_markdown(resources, org.org, "2026Q4", unit=org.centre)
    assert "典型案例" not in unit


async def test_no_typical_case_no_section(resources: Resources, clock: SimClock, org: Org) -> None:
    clock.set(at(2027, 1, 4, 10, 0))
    assert "典型案例" not in await digest_markdown(resources, org.org, "2026Q4")
