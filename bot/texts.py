"""Message texts from jinja2 templates under ``templates/messages/`` (markdown / plain text)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from models.enums import REFUSAL_CATEGORY_TITLES, RefusalCategory

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def refusal_title(category: RefusalCategory | str | None) -> str:
    """``law`` → 法律政策不允许 (empty when no category was chosen)."""
    if not category:
        return ""
    return REFUSAL_CATEGORY_TITLES.get(RefusalCategory(category), "")


def format_local(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    """``2026-12-03 17:30`` in ``tz`` (``settings.tz``; empty for None).

    In templates: ``{{ due_at | local(tz) }}``, with ``tz`` passed to ``render_text``."""
    if moment is None:
        return ""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _local_filter(moment: dt.datetime | None, tz: dt.tzinfo | jinja2.Undefined) -> str:
    # A template's ``| local(tz)`` with no ``tz`` in the context would pass jinja's Undefined on
    # as the zone; say what is missing instead of failing inside ``astimezone``.
    if isinstance(tz, jinja2.Undefined):
        raise jinja2.UndefinedError("render_text needs tz= (settings.tz) for the | local filter")
    return format_local(moment, tz)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    # Plain text and markdown, not HTML: no autoescape (bandit B701 / ruff S701: never rendered as a
    # page; pages use aiohttp-jinja2 with autoescape). StrictUndefined turns a typo into an error.
    env = jinja2.Environment(  # nosec B701
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "messages")),
        autoescape=False,  # noqa: S701 - chat text and markdown, never HTML (pages use aiohttp-jinja2)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # read once per process: no stat of the file on every message
    )
    env.filters["local"] = _local_filter
    env.filters["refusal_title"] = refusal_title
    return env


@lru_cache(maxsize=256)
def _template(name: str) -> tuple[jinja2.Template, dict[str, Any]]:
    template = _environment().get_template(name)
    return template, dict(template.globals)


def render_text(name: str, **context: Any) -> str:
    """Render ``templates/messages/<name>`` (e.g. ``help.md.j2``) and strip outer whitespace."""
    template, globals_ = _template(name)
    # What `Template.render` does, less its copy of the template's globals (a ChainMap, iterated in
    # Python) into a new dict on every call: copied once per template here. A reminder pass renders
    # thousands of texts, and that copy was a third of its CPU.
    ctx = template.new_context({**globals_, **context}, shared=True)
    try:
        return str(template.environment.concat(template.root_render_func(ctx))).strip()
    except Exception:
        template.environment.handle_exception()
