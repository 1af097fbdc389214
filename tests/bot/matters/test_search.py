"""The matters list's filter read from a query string: each parameter typed, every bad one named
in Chinese, and the filter written back to the same query string for paging links."""

from __future__ import annotations

import pytest

from bot.calendar.quarters import Quarter
from bot.matters.search import FilterError, MatterFilter
from bot.matters.views import Level
from models.enums import Action, MatterState


def test_an_empty_query_filters_nothing() -> None:
    wanted = MatterFilter.from_params({})
    assert wanted == MatterFilter() and not wanted.active
    assert wanted.describe({}, {}) == "筛选条件：全部事项"


def test_every_parameter_is_typed_and_round_trips() -> None:
    params = {
        "state": "pending",
        "outcome": "can_do",
        "unit": "3",
        "department": "7",
        "level": "2",
        "quarter": "2026年第四季度",
        "overdue": "1",
        "q": " 货运 ",
        "page": "2",
    }
    wanted = MatterFilter.from_params(params)
    assert wanted == MatterFilter(
        MatterState.PENDING, Action.CAN_DO, 3, 7, Level.SECTION_HEAD, Quarter(2026, 4), True, "货运", 2
    )
    assert wanted.params() == {**params, "quarter": "2026Q4", "q": "货运"}
    assert MatterFilter.from_params(wanted.params()) == wanted
    assert "page" not in wanted.params(page=1)
    described = wanted.describe({3: "局机关"}, {7: "运政股"})
    assert described == (
        "筛选条件：状态 审批中；审批结果 能办；单位 局机关；股室 运政股；所在层级 股室负责人；季度 2026年第4季度；仅逾期；含“货运”"
    )


def test_chinese_titles_are_accepted_for_state_and_outcome() -> None:
    wanted = MatterFilter.from_params({"state": "已撤回", "outcome": "确认不能办"})
    assert wanted.state is MatterState.WITHDRAWN and wanted.outcome is Action.CONFIRM_NO


def test_every_bad_parameter_is_named_at_once() -> None:
    with pytest.raises(FilterError) as raised:
        MatterFilter.from_params({"state": "x", "unit": "１", "level": "0", "overdue": "2", "page": "-1"})
    message = raised.value.message
    assert message.startswith("筛选条件有误：")
    for words in (
        "状态“x”不存在",
        "单位须从列表中选择",
        "层级只能是 1 到 4",
        "“仅逾期”只能是 1",
        "页码须是 1 到",
    ):
        assert words in message


def test_a_search_with_unstorable_characters_is_refused() -> None:
    with pytest.raises(FilterError, match="无法识别"):
        MatterFilter.from_params({"q": "a\x00b"})
    with pytest.raises(FilterError, match="无法识别"):
        MatterFilter.from_params({"q": "\udcff"})
