"""The quarterly digest (季度汇总): figures per unit and section, and their message texts.

What a quarter's figures count (each event belongs to exactly one quarter, so quarters add up to
the year and a past quarter's figures never change when they are computed again):

- submitted (受理): matters submitted in the quarter;
- resolved at level 2/3/4 (能办): matters decided ``can_do`` in the quarter, by the level that
  decided;
- refused (确认不能办): matters decided ``confirm_no`` in the quarter;
- withdrawn (撤回): matters withdrawn in the quarter;
- overdue (逾期未回复): matters whose reply deadline fell in the quarter (before now, for the
  running quarter) and that had no reply recorded by then, unless withdrawn before it;
- average working hours to decide: over the matters decided in the quarter, office hours on
  working days from submission to decision.

A matter counts for its lead section (会商 co-sections do not count it again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.messengers.base import Attachment
from bot.outbox.batch import OutboxBatch
from bot.reports.tasks import open_report_tasks, report_due_at
from bot.reports.xlsx import summary_workbook
from bot.texts import format_local, render_text
from models.matter import Matter
from models.org import Department, GroupChannel, Organisation, Unit
from models.reports import DutyRun

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

LEVELS = (2, 3, 4)
DIGEST_KIND = "digest"
DIGEST_SUBJECT = "organisation"
DIGEST_TIME = dt.time(9, 0)  # the first working day of a quarter, local time


@dataclass
class Counts:
    """One row's figures. ``decided``/``decide_hours`` give the average time to decide."""

    submitted: int = 0
    resolved_at_level: dict[int, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    refused: int = 0
    withdrawn: int = 0
    overdue: int = 0
    decided: int = 0
    decide_hours: float = 0.0

    @property
    def resolved(self) -> int:
        return sum(self.resolved_at_level.values())

    @property
    def avg_decide_hours(self) -> float | None:
        """Average working hours from submission to decision, one decimal; None when none decided."""
        if not self.decided:
            return None
        return round(self.decide_hours / self.decided, 1)

    def add(self, other: Counts) -> None:
        self.submitted += other.submitted
        for level in LEVELS:
            self.resolved_at_level[level] += other.resolved_at_level[level]
        self.refused += other.refused
        self.withdrawn += other.withdrawn
        self.overdue += other.overdue
        self.decided += other.decided
        self.decide_hours += other.decide_hours


@dataclass
class SectionStats:
    department_id: int
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)


@dataclass
class UnitStats:
    unit_id: int
    code: str
    name: str
    sections: list[SectionStats] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        total = Counts()
        for section in self.sections:
            total.add(section.counts)
        return total


@dataclass
class QuarterStats:
    """A quarter's figures for one organisation, every unit and section listed (zeros included)."""

    organisation_id: int
    quarter: Quarter
    cutoff: dt.datetime  # figures are as of this moment: the quarter's end, or now if earlier
    complete: bool  # the quarter is over: its figures are final
    tz: ZoneInfo  # the organisation's local time, for dates shown
    units: list[UnitStats] = field(default_factory=list)

    @property
    def totals(self) -> Counts:
        total = Counts()
        for unit in self.units:
            total.add(unit.counts)
        return total

    def unit(self, unit_id: int) -> UnitStats:
        for unit in self.units:
            if unit.unit_id == unit_id:
                return unit
        raise LookupError(f"没有单位 {unit_id}")


def _within(moment: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> bool:
    return moment is not None and start <= moment < end


def _count_matter(
    counts: Counts, matter: Matter, start: dt.datetime, end: dt.datetime, cal: WorkCalendar
) -> None:
    if _within(matter.submitted_at, start, end):
        counts.submitted += 1
    if _within(matter.decided_at, start, end) and matter.outcome in ("can_do", "confirm_no"):
        assert matter.decided_at is not None
        if matter.outcome == "can_do" and matter.decided_level in LEVELS:
            counts.resolved_at_level[matter.decided_level] += 1
        elif matter.outcome == "confirm_no":
            counts.refused += 1
        counts.decided += 1
        counts.decide_hours += cal.working_hours_between(matter.submitted_at, matter.decided_at)
    if _within(matter.withdrawn_at, start, end):
        counts.withdrawn += 1
    if _within(matter.due_at, start, end):
        withdrawn_in_time = matter.withdrawn_at is not None and matter.withdrawn_at <= matter.due_at
        replied_in_time = matter.replied_at is not None and matter.replied_at <= matter.due_at
        if not withdrawn_in_time and not replied_in_time:
            counts.overdue += 1


async def quarter_stats(
    organisation_id: int, quarter: Quarter, calendar: WorkCalendar, *, now: dt.datetime | None = None
) -> QuarterStats:
    """The figures of ``quarter`` (see the module docstring), as of ``now`` for a running quarter."""
    start = quarter.start_at(calendar.tz)
    end = quarter.end_at(calendar.tz)
    cutoff = end if now is None else min(end, now)
    stats = QuarterStats(
        organisation_id=organisation_id,
        quarter=quarter,
        cutoff=cutoff,
        complete=cutoff >= end,
        tz=calendar.tz,
    )
    sections: dict[int, SectionStats] = {}
    for unit in await Unit.filter(organisation_id=organisation_id).order_by("id"):
        unit_stats = UnitStats(unit_id=unit.id, code=unit.code, name=unit.name)
        for dept in await Department.filter(organisation_id=organisation_id, unit_id=unit.id).order_by("id"):
            section = SectionStats(department_id=dept.id, code=dept.code, name=dept.name)
            unit_stats.sections.append(section)
            sections[dept.id] = section
        stats.units.append(unit_stats)

    window = (
        Q(submitted_at__gte=start, submitted_at__lt=cutoff)
        | Q(decided_at__gte=start, decided_at__lt=cutoff)
        | Q(withdrawn_at__gte=start, withdrawn_at__lt=cutoff)
        | Q(due_at__gte=start, due_at__lt=cutoff)
    )
    for matter in await Matter.filter(window, organisation_id=organisation_id):
        owner = sections.get(matter.department_id)
        if owner is None:  # only if the section's unit is not this organisation's (bad data)
            continue
        _count_matter(owner.counts, matter, start, cutoff, calendar)
    return stats


def _hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 工作小时"


def _row(counts: Counts) -> dict[str, object]:
    """Template-friendly figures of one row."""
    return {
        "submitted": counts.submitted,
        "resolved": counts.resolved,
        "level2": counts.resolved_at_level[2],
        "level3": counts.resolved_at_level[3],
        "level4": counts.resolved_at_level[4],
        "refused": counts.refused,
        "withdrawn": counts.withdrawn,
        "overdue": counts.overdue,
        "avg_hours": _hours(counts.avg_decide_hours),
    }


def render_digest(
    stats: QuarterStats,
    organisation_name: str,
    *,
    tz: dt.tzinfo,
    unit_id: int | None = None,
    report_due: dt.datetime | None = None,
) -> str:
    """The digest's markdown: the whole organisation (office group), or one unit (its group);
    times in ``tz`` (``settings.tz``)."""
    context: dict[str, object] = {
        "tz": tz,
        "organisation": organisation_name,
        "quarter": stats.quarter.label,
        "quarter_code": str(stats.quarter),
        "cutoff": stats.cutoff,
        "complete": stats.complete,
        "report_due": report_due,
    }
    if unit_id is None:
        context["totals"] = _row(stats.totals)
        context["units"] = [{"name": u.name, **_row(u.counts)} for u in stats.units]
        return render_text("digest_office.md.j2", **context)
    unit = stats.unit(unit_id)
    context["unit"] = unit.name
    context["totals"] = _row(unit.counts)
    context["sections"] = [{"name": s.name, **_row(s.counts)} for s in unit.sections]
    return render_text("digest_unit.md.j2", **context)


def _as_quarter(quarter: Quarter | str) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else parse_quarter(quarter)


async def digest_markdown(
    resources: Resources, organisation: Organisation, quarter: Quarter | str, unit: Unit | None = None
) -> str:
    """The digest of ``quarter`` as of now (the `汇总 [2026Q3]` chat command and the CLI).

    ``quarter`` may be text such as ``2026Q3`` (ValueError with a Chinese message if unreadable).
    """
    q = _as_quarter(quarter)
    now = resources.clock.now()
    if q.start_at(resources.settings.tz) > now:
        raise ValueError(f"{q.label}还没有开始，没有汇总数据")
    calendar = await load_calendar(
        resources.settings, organisation.id, today=now.astimezone(resources.settings.tz).date()
    )
    stats = await quarter_stats(organisation.id, q, calendar, now=now)
    return render_digest(
        stats, organisation.name, tz=resources.settings.tz, unit_id=None if unit is None else unit.id
    )


def summary_filename(quarter: Quarter) -> str:
    return f"说不事项提级管理汇总表_{quarter}.xlsx"


async def post_digest(
    resources: Resources,
    organisation: Organisation,
    quarter: Quarter,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> bool:
    """Post ``quarter``'s digest and open the units' report tasks, once (DutyRun ``digest``).

    The office group gets the whole organisation's digest with the 汇总表 attached; each unit's
    group gets that unit's. Returns False if the digest had already been posted.
    """
    if quarter.end_at(calendar.tz) > now:
        raise ValueError(f"{quarter.label}还没有结束，不能发布季度汇总；不带 --post 可查看截至目前的数据")
    stats = await quarter_stats(organisation.id, quarter, calendar, now=now)
    due = report_due_at(calendar, quarter, resources.settings.report_working_days)
    workbook = Attachment(summary_filename(quarter), summary_workbook(stats, organisation.name))
    groups = await GroupChannel.filter(organisation_id=organisation.id).order_by("id")
    batch = OutboxBatch(resources.settings, organisation, now)
    try:
        async with in_transaction():
            await DutyRun.create(
                organisation_id=organisation.id,
                kind=DIGEST_KIND,
                subject=DIGEST_SUBJECT,
                period=str(quarter),
                ran_at=now,
            )
            await open_report_tasks(organisation, quarter, due, now)
            for group in groups:
                key = f"digest:{quarter}:group:{group.id}"
                if group.kind == "office":
                    text = render_digest(stats, organisation.name, tz=resources.settings.tz, report_due=due)
                    await batch.group(group, text, dedupe_key=key, attachment=workbook)
                elif group.unit_id is not None:
                    text = render_digest(
                        stats,
                        organisation.name,
                        tz=resources.settings.tz,
                        unit_id=group.unit_id,
                        report_due=due,
                    )
                    await batch.group(group, text, dedupe_key=key)
    except IntegrityError:
        return False
    await batch.nudge(resources)
    return True


async def digest_cli(resources: Resources, organisation_code: str | None, quarter: str, post: bool) -> str:
    """`tiji digest --quarter 2026Q3 [--post]`: the digest text; with ``post``, also queue the posts
    exactly as the scheduled run does (once per quarter: a second post says so and sends nothing).

    Raises ValueError (Chinese) for an unknown organisation or quarter.
    """
    q = parse_quarter(quarter)
    if organisation_code:
        organisation = await Organisation.get_or_none(code=organisation_code)
        if organisation is None:
            raise ValueError(f"没有代码为 {organisation_code} 的机构，请检查 --org")
    else:
        organisations = await Organisation.all().order_by("id").limit(2)
        if not organisations:
            raise ValueError("数据库里还没有机构，请先用 tiji org import 导入组织架构")
        if len(organisations) > 1:
            raise ValueError("有多个机构，请用 --org 指定机构代码")
        organisation = organisations[0]
    text = await digest_markdown(resources, organisation, q)
    if not post:
        return text
    now = resources.clock.now()
    calendar = await load_calendar(
        resources.settings, organisation.id, today=now.astimezone(resources.settings.tz).date()
    )
    if await post_digest(resources, organisation, q, calendar, now):
        return f"{text}\n\n已加入发送队列：活动办公室群（附汇总表）和各单位群，并开启各单位报送任务。"
    run = await DutyRun.get(
        organisation_id=organisation.id, kind=DIGEST_KIND, subject=DIGEST_SUBJECT, period=str(q)
    )
    return f"{text}\n\n{q.label}汇总已于 {format_local(run.ran_at, resources.settings.tz)} 发布过，本次没有重复发送。"
