"""Times in messages are shown in the configured zone, which every caller must pass."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import jinja2
import pytest

from bot.settings import Settings
from bot.texts import format_local, render_text

MOMENT = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)


def test_format_local_uses_the_zone_it_is_given() -> None:
    assert format_local(MOMENT, ZoneInfo("Asia/Shanghai")) == "2026-12-03 17:30"
    assert format_local(MOMENT, ZoneInfo("Asia/Urumqi")) == "2026-12-03 15:30"
    assert format_local(None, ZoneInfo("Asia/Shanghai")) == ""


def test_templates_show_times_in_the_settings_zone() -> None:
    settings = Settings(_env_file=None, timezone="Asia/Urumqi")  # type: ignore[call-arg]
    text = render_text(
        "report_confirmed.md.j2",
        unit="公路中心",
        quarter="2026年第四季度",
        person="王局",
        at=MOMENT,
        due_at=MOMENT,
        late=True,
        tz=settings.tz,
    )
    assert "王局，2026-12-03 15:30" in text and "报送期限 2026-12-03 15:30" in text


def test_a_template_rendered_without_the_zone_fails_loudly() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render_text("report_confirmed.md.j2", unit="u", quarter="q", person="p", at=MOMENT, due_at=MOMENT,
                    late=False)  # fmt: skip
