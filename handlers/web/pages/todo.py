"""``/m/todo`` (我的待办, the page after sign-in): my open steps by working hours left, the
replies I owe applicants and my recent matters; each row opens ``/m/matters/{number}``."""

from __future__ import annotations

from aiohttp import web

from bot.calendar.workdays import load_calendar
from bot.matters.links import MATTER_PAGE
from bot.matters.todo import todo_for
from bot.org.stand_ins import may_have_stand_in
from bot.runtime.resources import RESOURCES
from bot.web.pages import render_page
from bot.web.sessions import signed_in_person

routes = web.RouteTableDef()


@routes.get("/m/todo")
async def todo(request: web.Request) -> web.Response:
    """The signed-in person's work."""
    person = await signed_in_person(request)
    resources = request.app[RESOURCES]
    now = resources.clock.now()
    calendar = await load_calendar(
        resources.settings, person.organisation_id, today=now.astimezone(resources.settings.tz).date()
    )
    context = {
        "todo": await todo_for(person, calendar, now),
        "tz": resources.settings.tz,
        "matter_page": MATTER_PAGE,
        "leader": may_have_stand_in(person),
    }
    return await render_page(request, "pages/todo.html.j2", context)
