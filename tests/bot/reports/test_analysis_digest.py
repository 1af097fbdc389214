"""The office's quarterly digest carries the 分析研判 headline indicators (seeded 2026Q4); a unit's
digest does not."""

from __future__ import annotations

import pytest

from bot.clock import SimClock
from bot.reports.digest import digest_markdown
from bot.runtime.resources import Resources
from tests.support.analysis_seed import NOW, Seeded, seed


@pytest.fixture
async def seeded(resources: Resources) -> Seeded:
    return await seed()


async def test_the_office_digest_has_the_headline_indicators(
    resources: Resources, clock: SimClock, seeded: Seeded
) -> None:
    clock.set(NOW)
    resources.settings.public_url = "https://tiji.example.cn"
    text = await digest_markdown(resources, seeded.o.org, "2026Q4")
    section = text[text.index("#### 分析研判") :]
    assert (
        "拟说“不”转为能办：**4** 件（占已决定 7 件的 57.1%），其中股室负责人 2、分管领导 1、主要领导 1"
        in section
    )
    assert "确认不能办未引用政策依据：2 件" in section
    assert "按时办结率：75.0%（按时 6 件，超期或逾期未办 2 件）" in section
    assert "环节超时：2 件事项（其中事项仍按时办结 1 件）" in section
    assert "用时最长的层级：股室负责人，平均 3.1 工作小时" in section
    assert "堵点" not in section  # no section had 5 escalations: nothing ranked
    assert "https://tiji.example.cn/admin/analysis?quarter=2026Q4" in section


async def test_a_unit_digest_has_no_analysis(resources: Resources, clock: SimClock, seeded: Seeded) -> None:
    clock.set(NOW)
    text = await digest_markdown(resources, seeded.o.org, "2026Q4", seeded.o.bureau)
    assert "分析研判" not in text
