"""在办 / 逾期: the open and the overdue matters of the office's or a leader's scope, in chat."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.calendar.workdays import load_calendar
from bot.errors import UserError
from bot.matters.watchlist import format_working_time, scope_of, watched_matters, where_it_waits
from bot.settings import Settings
from bot.texts import format_local, render_text
from handlers.commands.registry import CommandRouter
from handlers.context import HandlerContext
from models.matter import Matter
from models.org import Department, Role

router = CommandRouter()

WATCHERS = frozenset(
    {Role.OFFICE, Role.DISCIPLINE, Role.ADMIN, Role.PRINCIPAL, Role.DEPUTY, Role.SECTION_HEAD}
)
SHOWN = 15  # a chat message stays readable on a phone; the rest is counted
SUBJECT_CHARS = 18


@dataclass(frozen=True)
class Line:
    number: str
    subject: str
    department: str
    waits: str
    left: str
    due: str


@router.command(
    "在办", "open", usage="在办：本单位（本股室）未办结的事项，按剩余时间排序", rank=84, roles=WATCHERS
)
async def handle_open(ctx: HandlerContext, body: str) -> str:
    return await _list(ctx, overdue_only=False)


@router.command("逾期", "overdue", usage="逾期：已超过回复期限、尚未办结的事项", rank=86, roles=WATCHERS)
async def handle_overdue(ctx: HandlerContext, body: str) -> str:
    return await _list(ctx, overdue_only=True)


async def _list(ctx: HandlerContext, *, overdue_only: bool) -> str:
    settings = ctx.resources.settings
    today = ctx.now.astimezone(ctx.tz).date()
    scope = await scope_of(ctx.person, today)
    if scope is None:
        raise UserError("“在办”“逾期”仅向办公室和各级领导提供。您提交的事项请发送“我的”查看。")
    calendar = await load_calendar(settings, ctx.organisation.id, today=today)
    watched = await watched_matters(ctx.organisation.id, scope, calendar, ctx.now, overdue_only=overdue_only)
    departments = {d.id: d.name for d in await Department.filter(organisation_id=ctx.organisation.id)}
    lines = [
        await _line(w.matter, w.hours_left, w.overdue, departments, settings, ctx.tz) for w in watched[:SHOWN]
    ]
    return render_text(
        "watchlist.md.j2",
        title="逾期事项" if overdue_only else "在办事项",
        scope=scope.label,
        total=len(watched),
        lines=lines,
        more=max(0, len(watched) - SHOWN),
    )


async def _line(
    matter: Matter, hours_left: float, overdue: bool, departments: dict[int, str], settings: Settings,
    tz: dt.tzinfo,
) -> Line:  # fmt: skip
    subject = matter.subject if len(matter.subject) <= SUBJECT_CHARS else matter.subject[:SUBJECT_CHARS] + "…"
    if overdue:
        left = f"已逾期 {format_working_time(hours_left, settings)}" if hours_left else "已逾期"
    else:
        left = f"剩 {format_working_time(hours_left, settings)}"
    return Line(
        matter.number, subject, departments.get(matter.department_id, ""), await where_it_waits(matter), left,
        format_local(matter.due_at, tz)[5:],
    )  # fmt: skip
