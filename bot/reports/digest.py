"""The quarterly digest (季度汇总): its message text, the 汇总表 attached, and posting both to the
office and unit groups (with the units' report tasks)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.outbound import Attachment
from bot.outbox.batch import OutboxBatch
from bot.reports.analysis_digest import analysis_section
from bot.reports.stats import Counts, QuarterStats, quarter_stats
from bot.reports.tasks import open_report_tasks, report_due_at
from bot.reports.xlsx import summary_workbook
from bot.texts import format_local, render_text
from models.enums import WITHDRAW_REASON_TITLES, GroupKind, WithdrawReason
from models.org import GroupChannel, Organisation, Unit
from models.reports import DutyRun

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

DIGEST_KIND = "digest"
DIGEST_SUBJECT = "organisation"
DIGEST_TIME = dt.time(9, 0)  # the first working day of a quarter, local time


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
        "withdrawn_reasons": "、".join(
            f"{WITHDRAW_REASON_TITLES[reason]} {counts.withdrawn_for[reason]}" for reason in WithdrawReason
        ),
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
    analysis: str = "",
) -> str:
    """The digest's markdown: the whole organisation (office group, with the ``analysis`` section
    of `bot.reports.analysis_digest`), or one unit (its group); times in ``tz`` (``settings.tz``)."""
    context: dict[str, object] = {
        "tz": tz,
        "organisation": organisation_name,
        "quarter": stats.quarter.label,
        "quarter_code": str(stats.quarter),
        "cutoff": stats.cutoff,
        "complete": stats.complete,
        "report_due": report_due,
        "analysis": analysis,
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
    analysis = "" if unit else await analysis_section(resources.settings, organisation.id, q, calendar, now)
    return render_digest(
        stats,
        organisation.name,
        tz=resources.settings.tz,
        unit_id=None if unit is None else unit.id,
        analysis=analysis,
    )


def summary_filename(quarter: Quarter) -> str:
    return f"说不事项提级管理汇总表_{quarter}.xlsx"


async def post_digest(
    resources: Resources,
    organisation: Organisation,
    quarter: Quarter,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> QuarterStats | None:
    """Post ``quarter``'s digest and open the units' report tasks, once (DutyRun ``digest``): the
    quarterly summary as the worker runs it (`bot.jobs.digest`), and `tiji digest --post`.

    The office group gets the whole organisation's digest with the 汇总表 attached; each unit's
    group gets that unit's. Returns the figures posted, or None if the digest had already been
    posted. The figures are one ``GROUP BY`` and the workbook is streamed, so the memory this takes
    follows the number of sections, not of matters.
    """
    if quarter.end_at(calendar.tz) > now:
        raise ValueError(f"{quarter.label}还没有结束，不能发布季度汇总；不带 --post 可查看截至目前的数据")
    stats = await quarter_stats(organisation.id, quarter, calendar, now=now)
    due = report_due_at(calendar, quarter, resources.settings.report_working_days)
    workbook = Attachment(summary_filename(quarter), summary_workbook(stats, organisation.name))
    analysis = await analysis_section(resources.settings, organisation.id, quarter, calendar, now)
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
                if group.kind is GroupKind.OFFICE:
                    text = render_digest(
                        stats, organisation.name, tz=resources.settings.tz, report_due=due, analysis=analysis
                    )
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
        return None
    await batch.nudge(resources)
    return stats


async def _organisation(code: str | None) -> Organisation:
    if code:
        organisation = await Organisation.get_or_none(code=code)
        if organisation is None:
            raise ValueError(f"没有代码为 {code} 的机构，请检查 --org")
        return organisation
    organisations = await Organisation.all().order_by("id").limit(2)
    if not organisations:
        raise ValueError("数据库里还没有机构，请先用 tiji org import 导入组织架构")
    if len(organisations) > 1:
        raise ValueError("有多个机构，请用 --org 指定机构代码")
    return organisations[0]


async def digest_cli(resources: Resources, organisation_code: str | None, quarter: str, post: bool) -> str:
    """`tiji digest --quarter 2026Q3 [--post]`: the digest text; with ``post``, also queue the posts
    exactly as the scheduled run does (once per quarter: a second post says so and sends nothing).

    Raises ValueError (Chinese) for an unknown organisation or quarter.
    """
    q = parse_quarter(quarter)
    organisation = await _organisation(organisation_code)
    if not post:
        return await digest_markdown(resources, organisation, q)
    now = resources.clock.now()
    tz = resources.settings.tz
    calendar = await load_calendar(resources.settings, organisation.id, today=now.astimezone(tz).date())
    posted = await post_digest(resources, organisation, q, calendar, now)
    if posted is not None:
        text = render_digest(posted, organisation.name, tz=tz)
        return f"{text}\n\n已加入发送队列：活动办公室群（附汇总表）和各单位群，并开启各单位报送任务。"
    text = await digest_markdown(resources, organisation, q)
    run = await DutyRun.get(
        organisation_id=organisation.id, kind=DIGEST_KIND, subject=DIGEST_SUBJECT, period=str(q)
    )
    return f"{text}\n\n{q.label}汇总已于 {format_local(run.ran_at, tz)} 发布过，本次没有重复发送。"
