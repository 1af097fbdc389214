"""分析研判 of a seeded 2026Q4 (`tests.support.analysis_seed` says every figure by hand), and that
every figure's link opens exactly the matters it counts."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from tortoise.expressions import Q

from bot.calendar.quarters import Quarter, parse_quarter
from bot.matters.watchlist import Scope
from bot.reports.analysis import QuarterAnalysis, quarter_analysis, scoped
from bot.reports.analysis_filters import analysis_filter, submitted_within
from bot.reports.ranking import TOO_FEW
from bot.runtime.resources import Resources
from models.matter import Matter
from tests.support.analysis_seed import NOW, Seeded, seed

CN = ZoneInfo("Asia/Shanghai")
WHOLE = Scope("全单位", whole_organisation=True)


@pytest.fixture
async def seeded(resources: Resources) -> Seeded:
    return await seed()


async def analyse(seeded: Seeded, scope: Scope = WHOLE) -> QuarterAnalysis:
    return await quarter_analysis(
        seeded.o.org.id, scope, Quarter(2026, 4), tz=CN, now=NOW, step_limit_hours=9.0
    )


async def matters_behind(seeded: Seeded, link: str, scope: Scope = WHOLE) -> set[str]:
    """What the console's list shows for ``link``: its quarter and the analysis filters, in scope."""
    params = dict(parse_qsl(urlsplit(link).query))
    where = scoped(seeded.o.org.id, scope) & analysis_filter(params, tz=CN, step_limit_hours=9.0, now=NOW)
    if "quarter" in params:
        quarter = parse_quarter(params["quarter"])
        where &= submitted_within(quarter.start_at(CN), quarter.end_at(CN))
    for name, column in (("department", "department_id"), ("level", "level"), ("state", "state")):
        if name in params:
            where &= Q(**{column: params[name]})
    numbers = {m.id: k for k, m in seeded.matters.items()}
    ids = await Matter.filter(where).values_list("id", flat=True)
    return {numbers[int(str(i))] for i in ids}


async def test_headline_indicators_of_the_quarter(seeded: Seeded) -> None:
    a = await analyse(seeded)
    values = {key: f.value for key, f in a.headline.items()}
    assert values == {
        "submitted": 9, "can_do": 4, "refused": 3, "withdrawn": 1, "pending": 1, "no_basis": 2,
        "on_time": 6, "late": 2, "step_overdue": 2, "step_overdue_on_time": 1,
    }  # fmt: skip
    assert [(f.label, f.value) for f in a.settled] == [("股室负责人", 2), ("分管领导", 1), ("主要领导", 1)]
    assert a.on_time_rate == 75.0
    assert a.can_do_rate == round(100 * 4 / 7, 1)
    assert a.step_overdue_steps == 2


async def test_refusals_by_category_and_by_catalog_item(seeded: Seeded) -> None:
    a = await analyse(seeded)
    assert [(f.label, f.value) for f in a.by_category] == [
        ("法律政策不允许", 1),
        ("客观条件不具备", 1),
        ("其他", 1),
    ]
    assert [(r.label, r.value, r.rank, r.note) for r in a.by_item] == [
        ("YS-01 道路运输经营许可", 2.0, None, TOO_FEW),
        ("（未关联事项清单）", 1.0, None, TOO_FEW),
    ]


async def test_blocked_points_and_the_slowest_levels(seeded: Seeded) -> None:
    a = await analyse(seeded)
    assert [(r.label, r.value) for r in a.blocked_sections] == [
        ("局机关·运输股", 2.0), ("公路事业发展中心·养护股", 1.0), ("局机关·法规股", 1.0),
    ]  # fmt: skip
    assert [(r.label, r.value) for r in a.blocked_items] == [
        ("YS-01 道路运输经营许可", 2.0),
        ("（未关联事项清单）", 2.0),
    ]
    assert [(s.level, s.steps, s.avg_hours, s.slow) for s in a.levels] == [
        (2, 7, 3.1, 1),
        (3, 5, 2.2, 0),
        (4, 4, 7.0, 1),
    ]
    assert [(r.label, r.rank, r.note) for r in a.slowest] == [
        ("股室负责人", 1, ""), ("分管领导", 2, ""), ("主要领导", None, TOO_FEW),
    ]  # fmt: skip


async def test_counts_under_five_are_shown_but_not_ranked(seeded: Seeded) -> None:
    a = await analyse(seeded)
    assert [(r.label, r.value, r.sample, r.rank) for r in a.sections] == [
        ("局机关·运输股", 66.7, 6, 1),
        ("公路事业发展中心·养护股", 100.0, 1, None),
        ("局机关·法规股", 100.0, 1, None),
    ]
    assert all(r.note == TOO_FEW for r in a.sections if r.rank is None)
    assert all(r.rank is None for r in a.blocked_sections)  # 2, 1, 1 escalations: too few to rank


async def test_every_figure_links_to_the_matters_it_counts(seeded: Seeded) -> None:
    a = await analyse(seeded)
    expected = {
        "submitted": {"T1", "T2", "T3", "T4", "T5", "T6", "L1", "L2", "U1"},
        "can_do": {"T1", "T2", "T3", "T4"},
        "refused": {"T5", "L1", "U1"},
        "withdrawn": {"L2"},
        "pending": {"T6"},
        "no_basis": {"T5", "U1"},
        "on_time": {"T1", "T2", "T3", "T5", "L1", "U1"},
        "late": {"T4", "T6"},
        "step_overdue": {"T3", "T4"},
        "step_overdue_on_time": {"T3"},
    }
    for key, numbers in expected.items():
        assert await matters_behind(seeded, a.headline[key].link) == numbers, key
    assert [await matters_behind(seeded, f.link) for f in a.settled] == [{"T1", "T2"}, {"T3"}, {"T4"}]
    assert [await matters_behind(seeded, f.link) for f in a.by_category] == [{"T5"}, {"L1"}, {"U1"}]
    assert [await matters_behind(seeded, r.link) for r in a.by_item] == [{"T5", "L1"}, {"U1"}]
    assert await matters_behind(seeded, a.blocked_sections[0].link) == {"T4", "T5"}
    assert await matters_behind(seeded, a.levels[0].slow_link) == {"T3"}
    assert await matters_behind(seeded, a.levels[2].slow_link) == {"T4"}
    assert a.settled[0].link == "/admin/matters?quarter=2026Q4&settled_level=2"
    assert a.headline["no_basis"].link == "/admin/matters?quarter=2026Q4&no_legal_basis=1"


async def test_a_leader_sees_only_the_sections_in_their_charge(seeded: Seeded) -> None:
    transport = Scope("运输股", department_ids=frozenset({seeded.o.transport.id}))
    a = await analyse(seeded, transport)
    assert a.headline["submitted"].value == 6
    assert a.headline["refused"].value == 1
    assert [r.label for r in a.sections] == ["局机关·运输股"]
    assert [(s.level, s.steps) for s in a.levels] == [(2, 5), (3, 3), (4, 2)]


@pytest.mark.parametrize(
    "params",
    [
        {"settled_level": "9"},
        {"on_time": "x"},
        {"refusal_category": "<b>"},
        {"year": "99999"},
        {"outcome": "no"},
    ],
)
def test_a_bad_filter_value_says_what_to_fix(params: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="筛选条件"):
        analysis_filter(params, tz=CN, step_limit_hours=9.0, now=NOW)
