"""The console (``/admin``): who is looking, what they may see, and how its pages are rendered.

A console page handler::

    viewer = await console_viewer(request, Role.OFFICE, Role.ADMIN)   # or no roles: any console role
    rows = await some_domain_query(matters_in(viewer.organisation_id, viewer.scope))
    return await render_console(request, "console/x.html.j2", {"viewer": viewer, "rows": rows})

``console_viewer`` sends a browser that is not signed in to ``/admin/signin`` (302; a POST gets
the Chinese 401 page) and refuses a signed-in person without one of the ``allowed`` roles (403, no
data). Every query of a page is scoped by ``viewer.organisation_id`` (and ``viewer.scope``), so
another organisation's rows are never found: a page given another organisation's id answers 404.

A viewer is a person signed in through WeCom / DingTalk (their ``Person.roles``) or a local
``ConsoleAccount`` (``tiji user add``). Leaders (PRINCIPAL / DEPUTY) see their units and sections
only; office, 纪检组 and admin see the organisation.

Templates extend ``console/base.html.j2``; ``render_console`` gives them ``viewer``, ``nav``, ``now``
and ``warn_class(due_at)`` (预警: ``"yellow"`` one working day before, ``"red"`` overdue).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.calendar.warnings import Warn, warn_for
from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.matters.scoping import Scope, leader_scope
from bot.runtime.resources import RESOURCES
from bot.web.errors import PageError
from bot.web.sessions import MAX_NEXT, current_account, current_person, get_session
from models.accounts import ConsoleAccount
from models.enums import MatterState
from models.org import Person, Role

CONSOLE_HOME = "/admin"
CONSOLE_SIGNIN = "/admin/signin"
OVERSIGHT_ROLES = frozenset({Role.OFFICE, Role.DISCIPLINE, Role.ADMIN})
LEADER_ROLES = frozenset({Role.PRINCIPAL, Role.DEPUTY})
CONSOLE_ROLES = OVERSIGHT_ROLES | LEADER_ROLES
ROLE_NAMES: Mapping[Role, str] = {
    Role.OFFICE: "活动办公室",
    Role.DISCIPLINE: "纪检组",
    Role.ADMIN: "管理员",
    Role.PRINCIPAL: "主要领导",
    Role.DEPUTY: "分管领导",
}
CLOSED_STATES = frozenset({MatterState.CLOSED, MatterState.WITHDRAWN})
FORBIDDEN = "你的账号没有查看本页的权限。如需开通，请联系活动办公室。"


@dataclass(frozen=True)
class ConsoleViewer:
    """Who is using the console: a person (platform sign-in) or a local account, with the console
    roles they hold and, as a leader, the units / sections they may see."""

    person: Person | None
    account: ConsoleAccount | None
    organisation_id: int
    roles: frozenset[Role]
    unit_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    scope_label: str = "全单位"

    @property
    def label(self) -> str:
        """The viewer's name as the audit log and the page header show it."""
        if self.person is not None:
            return self.person.name
        return self.account.label if self.account is not None else "?"

    @property
    def actor(self) -> str:
        """The audit log's actor: the person's handle (as the chat's rows name them) or
        ``account:<username>``."""
        if self.person is not None:
            return self.person.handle
        return f"account:{self.account.username}" if self.account is not None else "?"

    @property
    def whole_organisation(self) -> bool:
        return not self.roles.isdisjoint(OVERSIGHT_ROLES)

    @property
    def scope(self) -> Scope:
        """The matters this viewer may see (``bot.matters.scoping.matters_in`` turns it into a filter)."""
        if self.whole_organisation:
            return Scope("全单位", whole_organisation=True)
        return Scope(self.scope_label, unit_ids=self.unit_ids, department_ids=self.department_ids)

    @property
    def role_names(self) -> str:
        return "、".join(ROLE_NAMES[r] for r in sorted(self.roles, key=list(ROLE_NAMES).index))

    def has(self, *roles: Role) -> bool:
        return not self.roles.isdisjoint(roles)

    def may_see(self, unit_id: int, department_id: int) -> bool:
        """Whether a matter of this unit and lead section is in the viewer's scope."""
        return self.whole_organisation or unit_id in self.unit_ids or department_id in self.department_ids


def console_roles(values: object) -> frozenset[Role]:
    """The console roles among a person's or an account's role names."""
    names = values if isinstance(values, list) else []
    return frozenset(Role(v) for v in names if v in Role.__members__.values()) & CONSOLE_ROLES


async def _today(request: web.Request) -> dt.date:
    resources = request.app[RESOURCES]
    return resources.clock.now().astimezone(resources.settings.tz).date()


async def current_viewer(request: web.Request) -> ConsoleViewer | None:
    """The signed-in console viewer, or None (not signed in, or no console role at all)."""
    account = await current_account(request)
    if account is not None:
        roles = console_roles(account.roles) & OVERSIGHT_ROLES
        return ConsoleViewer(None, account, account.organisation_id, roles) if roles else None
    person = await current_person(request)
    if person is None:
        return None
    roles = console_roles(person.roles)
    if not roles:
        return None
    if not roles.isdisjoint(OVERSIGHT_ROLES):
        return ConsoleViewer(person, None, person.organisation_id, roles)
    scope = await leader_scope(person.organisation_id, person.id, await _today(request))
    return ConsoleViewer(
        person, None, person.organisation_id, roles, scope.unit_ids, scope.department_ids, scope.label
    )


async def _signed_in_somehow(request: web.Request) -> bool:
    return await current_account(request) is not None or await current_person(request) is not None


async def console_viewer(request: web.Request, *allowed: Role) -> ConsoleViewer:
    """The viewer of a console page holding one of ``allowed`` (any console role when none are
    named). Not signed in: a GET goes to ``/admin/signin`` and comes back, anything else gets the
    401 page. Signed in without such a role: 403, no data."""
    viewer = await current_viewer(request)
    if viewer is None and not await _signed_in_somehow(request):
        if request.method in {"GET", "HEAD"}:
            raise web.HTTPFound(console_signin_url(request.path_qs))
        raise PageError(401, "请先登录", "登录已过期，请重新登录管理后台后再提交。")
    if viewer is None or (allowed and viewer.roles.isdisjoint(allowed)):
        raise PageError(403, "没有权限", FORBIDDEN)
    return viewer


def safe_console_next(value: object) -> str:
    """Where to go after the console's sign-in: a path of the console and nothing else."""
    if (
        isinstance(value, str)
        and (value == CONSOLE_HOME or value.startswith((CONSOLE_HOME + "/", CONSOLE_HOME + "?")))
        and "\\" not in value
        and "//" not in value
        and len(value) <= MAX_NEXT
        and not value.startswith(CONSOLE_SIGNIN)
    ):
        return value
    return CONSOLE_HOME


def console_signin_url(next_path: str) -> str:
    """The console's sign-in page that comes back to ``next_path`` afterwards."""
    return f"{CONSOLE_SIGNIN}?next={quote(safe_console_next(next_path), safe='/')}"


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    roles: frozenset[Role]


NAV: tuple[NavItem, ...] = (
    NavItem("总览", "/admin", CONSOLE_ROLES),
    NavItem("事项", "/admin/matters", CONSOLE_ROLES),
    NavItem("组织与链条", "/admin/org", CONSOLE_ROLES),
    NavItem("事项清单", "/admin/catalog", CONSOLE_ROLES),
    NavItem("季度报表", "/admin/reports", OVERSIGHT_ROLES | {Role.PRINCIPAL}),
    NavItem("分析研判", "/admin/analysis", CONSOLE_ROLES),
    NavItem("考核", "/admin/assessment", CONSOLE_ROLES),
    NavItem("典型案例", "/admin/cases", CONSOLE_ROLES),
    NavItem("通报", "/admin/notices", CONSOLE_ROLES),
    NavItem("日历", "/admin/calendar", OVERSIGHT_ROLES),
    NavItem("台账", "/admin/complaints", CONSOLE_ROLES),
    NavItem("纪检组", "/admin/discipline", OVERSIGHT_ROLES),
    NavItem("变更记录", "/admin/changes", OVERSIGHT_ROLES),
)


def nav_for(viewer: ConsoleViewer | None, path: str) -> list[dict[str, object]]:
    """The nav entries the viewer may open, the current one marked."""
    if viewer is None:
        return []
    current = max((i for i in NAV if path == i.path or path.startswith(i.path + "/")), key=lambda i: len(i.path),
                  default=None)  # fmt: skip
    return [
        {"label": i.label, "path": i.path, "current": i is current}
        for i in NAV
        if not viewer.roles.isdisjoint(i.roles)
    ]


@dataclass(frozen=True)
class WarnClock:
    """``warn_class`` of the templates: the organisation's calendar and the page's moment."""

    calendar: WorkCalendar
    now: dt.datetime

    def __call__(self, item: object) -> str:
        """``"red"`` / ``"yellow"`` / ``""`` for a deadline, or for a row with ``due_at`` (a
        matter, or a step's row carrying its matter's deadline); a closed matter is never warned."""
        state = getattr(item, "state", None)
        if state is not None and state in CLOSED_STATES:
            return Warn.NONE.value
        due_at = item if isinstance(item, dt.datetime) else getattr(item, "due_at", None)
        if not isinstance(due_at, dt.datetime):
            return Warn.NONE.value
        return warn_for(self.calendar, self.now, due_at).value


async def warn_clock(request: web.Request, organisation_id: int) -> WarnClock:
    resources = request.app[RESOURCES]
    now = resources.clock.now()
    calendar = await load_calendar(resources.settings, organisation_id, today=await _today(request))
    return WarnClock(calendar, now)


async def render_console(
    request: web.Request, template: str, context: Mapping[str, Any], status: int = 200
) -> web.Response:
    """``template`` (extending ``console/base.html.j2``) with ``context``; ``viewer`` (the
    ``ConsoleViewer`` or None), ``nav``, ``now`` and ``warn_class`` are added unless given."""
    await get_session(request)  # loaded, so csrf_field() can read and extend it
    full: dict[str, Any] = {**context, "request": request}
    if "viewer" not in full:
        full["viewer"] = await current_viewer(request)
    viewer: ConsoleViewer | None = full["viewer"]
    full.setdefault("nav", nav_for(viewer, request.path))
    if viewer is not None and "warn_class" not in full:
        clock = await warn_clock(request, viewer.organisation_id)
        full["warn_class"], full["now"] = clock, clock.now
    full.setdefault("warn_class", lambda _item: "")
    full.setdefault("matters_url", matters_url)
    full.setdefault("now", request.app[RESOURCES].clock.now())
    return aiohttp_jinja2.render_template(template, request, full, status=status)


def matters_url(**filters: object) -> str:
    """The matters list with these filters (``state``, ``unit``, ``department``, ``level``,
    ``quarter``, ``overdue``, ``q``, …; empty ones left out): where a figure's matters are listed."""
    chosen = {k: str(v) for k, v in filters.items() if v not in (None, "", False)}
    chosen = {k: ("1" if v == "True" else v) for k, v in chosen.items()}
    return f"/admin/matters?{urlencode(chosen)}" if chosen else "/admin/matters"


def warn_class(clock: WarnClock, item: object) -> str:
    """``warn_class`` outside a template (the same as ``{{ warn_class(item) }}``)."""
    return clock(item)
