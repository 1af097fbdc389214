"""What the console's matter pages share: finding a matter the viewer may see (404 otherwise —
another organisation's, or outside a leader's units and sections, looks the same as none), the
page's moment and zone, and the names of units and sections for the filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.runtime.resources import RESOURCES
from bot.web.console import ConsoleViewer
from bot.web.errors import PageError
from models.matter import Matter
from models.org import Department, Unit

MAX_NUMBER = 32  # Matter.number's column


def not_found(number: str) -> PageError:
    return PageError(
        404, "找不到该事项", f"没有编号为“{number[:MAX_NUMBER]}”的事项，或它不在你可查看的范围内。"
    )


async def visible_matter(viewer: ConsoleViewer, number: str) -> Matter:
    """The matter ``number`` of the viewer's organisation, if within their scope; else 404."""
    if not number or len(number) > MAX_NUMBER or "\x00" in number:
        raise not_found(number)
    matter = await Matter.get_or_none(organisation_id=viewer.organisation_id, number=number)
    if matter is None or not viewer.may_see(matter.unit_id, matter.department_id):
        raise not_found(number)
    return matter


def moment(request: web.Request) -> tuple[dt.datetime, ZoneInfo]:
    resources = request.app[RESOURCES]
    return resources.clock.now(), resources.settings.tz


async def org_names(organisation_id: int) -> tuple[dict[int, str], dict[int, str]]:
    """Unit and section names of the organisation, by id (in their import order)."""
    units = await Unit.filter(organisation_id=organisation_id).order_by("id")
    departments = await Department.filter(organisation_id=organisation_id).order_by("unit_id", "id")
    return {u.id: u.name for u in units}, {d.id: d.name for d in departments}


def form_text(form: Mapping[str, object], name: str) -> str:
    """A form field as text ('' when missing or a file); characters no column can hold are dropped."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.encode("utf-8", "ignore").decode("utf-8").replace("\x00", "")
