"""``/admin/changes`` (变更记录): the organisation's audit chain as a list, newest first — by default the
changes made in the console (who, what, before → after), or every row (``?kind=all``)."""

from __future__ import annotations

from aiohttp import web

from bot.runtime.resources import RESOURCES
from bot.web.console import OVERSIGHT_ROLES, console_viewer, render_console
from bot.web.console_audit import ACTION_PREFIX
from models.accounts import ConsoleAccount
from models.audit import AuditEntry
from models.org import Person

routes = web.RouteTableDef()
PAGE_SIZE = 50
MAX_PAGE = 10_000


def _page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < len(raw) <= len(str(MAX_PAGE)) and int(raw) <= MAX_PAGE else 1


async def actor_names(organisation_id: int, actors: set[str]) -> dict[str, str]:
    """Actor → the name to show (a person's name, a local account's label)."""
    handles = [a for a in actors if not a.startswith("account:")]
    names = {
        p.handle: p.name
        for p in await Person.filter(organisation_id=organisation_id, handle__in=handles or [""])
    }
    usernames = [a.removeprefix("account:") for a in actors if a.startswith("account:")]
    accounts = await ConsoleAccount.filter(organisation_id=organisation_id, username__in=usernames or [""])
    names.update({f"account:{a.username}": f"{a.label}（本地账号）" for a in accounts})
    return names


@routes.get("/admin/changes")
async def changes(request: web.Request) -> web.Response:
    """The audit rows of the viewer's organisation, 50 a page."""
    viewer = await console_viewer(request, *OVERSIGHT_ROLES)
    everything = request.query.get("kind") == "all"
    page = _page_number(request.query.get("page", "1"))
    query = AuditEntry.filter(organisation_id=viewer.organisation_id)
    if not everything:
        query = query.filter(action__startswith=ACTION_PREFIX)
    total = await query.count()
    rows = await query.order_by("-seq").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    context = {
        "viewer": viewer,
        "rows": rows,
        "names": await actor_names(viewer.organisation_id, {r.actor for r in rows}),
        "everything": everything,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
        "tz": request.app[RESOURCES].settings.tz,
    }
    return await render_console(request, "console/changes.html.j2", context)
