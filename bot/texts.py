"""Message texts from jinja2 templates under ``templates/messages/`` (markdown / plain text)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from models.enums import REFUSAL_CATEGORY_TITLES, RefusalCategory

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CHINA = dt.timezone(dt.timedelta(hours=8))


def refusal_title(category: RefusalCategory | str | None) -> str:
    """``law`` → 法律政策不允许 (empty when no category was chosen)."""
    if not category:
        return ""
    return REFUSAL_CATEGORY_TITLES.get(RefusalCategory(category), "")


def format_local(moment: dt.datetime | None, tz: dt.tzinfo = CHINA) -> str:
    """``2026-12-03 17:30`` in local time (empty for None)."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Plain text and markdown, not HTML: no autoescape. StrictUndefined turns a typo into an error.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "messages")),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["local"] = format_local
    env.filters["refusal_title"] = refusal_title
    return env


def render_text(name: str, **context: Any) -> str:
    """Render ``templates/messages/<name>`` (e.g. ``help.md.j2``) and strip outer whitespace."""
    return _environment().get_template(name).render(**context).strip()
