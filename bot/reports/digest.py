"""The quarterly digest (季度汇总): its message text, the 汇总表 attached, and posting both to the
office and unit groups (with the units' report tasks)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.calendar.hours import working_time_text
from bot.calendar.quarters import Quarter, parse_quarter
from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.outbound import Attachment
from bot.outbox.batch import OutboxBatch
from bot.reports.analysis_digest import office_sections
from bot.reports.hours import fill_missing_hours
from bot.reports.pending import PendingMatter, pending_list
from bot.reports.stats import Counts, QuarterStats, quarter_stats
from bot.reports.tasks import open_report_tasks, report_due_at
from bot.reports.xlsx import ATTACHED_MATTERS, TableRequest, quarter_workbook
from bot.texts import render_text
from models.enums import WITHDRAW_REASON_TITLES, GroupKind, WithdrawReason
from models.org import GroupChannel, Organisation, Unit
from models.reports import DutyRun

if TYPE_CHECKING:
    from bot.runtime.resources import Resources

DIGEST_KIND = "digest"
DIGEST_SUBJECT = "organisation"
DIGEST_TIME = dt.time(9, 0)  # the first working day of a quarter, local time


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
        "pending": counts.pending,
        "overdue": counts.overdue,
        "avg_hours": working_time_text(counts.avg_decide_hours),
    }


def render_digest(
    stats: QuarterStats,
    organisation_name: str,
    *,
    tz: dt.tzinfo,
    unit_id: int | None = None,
    report_due: dt.datetime | None = None,
    pending: Sequence[PendingMatter] = (),
    analysis: str = "",
) -> str:
    """The digest's markdown: the whole organisation (office group, with the ``analysis`` section
    of `bot.reports.analysis_digest`), or one unit (its group); times in ``tz`` (``settings.tz``);
    ``pending``: the 在办 matters to list (the first few)."""
    context: dict[str, object] = {
        "tz": tz,
        "organisation": organisation_name,
        "quarter": stats.quarter.label,
        "quarter_code": str(stats.quarter),
        "cutoff": stats.cutoff,
        "complete": stats.complete,
        "report_due": report_due,
        "pending": pending,
        "analysis": analysis,
    }
    if unit_id is None:
        context["ledger"] = stats.ledger.total()
        context["totals"] = _row(stats.totals)
        context["units"] = [{"name": u.name, **_row(u.counts)} for u in stats.units]
        return render_text("digest_office.md.j2", **context)
    unit = stats.unit(unit_id)
    context["unit"] = unit.name
    context["ledger"] = stats.ledger.total([s.department_id for s in unit.sections])
    context["totals"] = _row(unit.counts)
    context["sections"] = [{"name": s.name, **_row(s.counts)} for s in unit.sections]
    return render_text("digest_unit.md.j2", **context)


def _as_quarter(quarter: Quarter | str) -> Quarter:
    return quarter if isinstance(quarter, Quarter) else parse_quarter(quarter)


def summary_filename(quarter: Quarter, unit_name: str | None = None) -> str:
    return f"说不事项提级管理汇总表_{quarter}{'_' + unit_name if unit_name else ''}.xlsx"


@dataclass(frozen=True)
class Digest:
    """A digest as answered in chat: its text and the workbook that goes with it."""

    text: str
    workbook: Attachment


async def digest_file(
    stats: QuarterStats,
    calendar: WorkCalendar,
    organisation_name: str,
    made_at: dt.datetime,
    unit_id: int | None = None,
) -> Attachment:
    """The workbook sent with a digest (its 事项明细 capped at `ATTACHED_MATTERS` rows)."""
    request = TableRequest(organisation_name, made_at, unit_id, matter_limit=ATTACHED_MATTERS)
    unit_name = None if unit_id is None else stats.unit(unit_id).name
    return Attachment(
        summary_filename(stats.quarter, unit_name), await quarter_workbook(stats, calendar, request)
    )


async def digest_answer(
    resources: Resources, organisation: Organisation, quarter: Quarter | str, unit: Unit | None = None
) -> Digest:
    """The digest of ``quarter`` as of now with its workbook (the `汇总 [2026Q3]` chat command).

    ``quarter`` may be text such as ``2026Q3`` (ValueError with a Chinese message if unreadable).
    """
    q = _as_quarter(quarter)
    now = resources.clock.now()
    tz = resources.settings.tz
    if q.start_at(tz) > now:
        raise ValueError(f"{q.label}还没有开始，没有汇总数据")
    calendar = await load_calendar(resources.settings, organisation.id, today=now.astimezone(tz).date())
    stats = await quarter_stats(organisation.id, q, calendar, now=now)
    unit_id = None if unit is None else unit.id
    analysis = "" if unit else await office_sections(resources.settings, organisation.id, q, calendar, now)
    text = render_digest(
        stats,
        organisation.name,
        tz=tz,
        unit_id=unit_id,
        pending=await pending_list(stats, unit_id),
        analysis=analysis,
    )
    return Digest(text, await digest_file(stats, calendar, organisation.name, now, unit_id))


async def digest_markdown(
    resources: Resources, organisation: Organisation, quarter: Quarter | str, unit: Unit | None = None
) -> str:
    """The digest's text alone (`tiji digest` without ``--post``)."""
    return (await digest_answer(resources, organisation, quarter, unit)).text


async def _posts(
    resources: Resources,
    organisation: Organisation,
    quarter: Quarter,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> tuple[QuarterStats, list[tuple[GroupChannel, str, Attachment]]]:
    """The figures and, per group, the digest and its workbook (made before the transaction: it
    holds no lock while workbooks are written)."""
    # Stored first: the analysis below reads the steps' hours while `quarter_stats` runs.
    await fill_missing_hours(
        organisation.id, calendar, quarter.start_at(calendar.tz), quarter.end_at(calendar.tz)
    )
    groups = await GroupChannel.filter(organisation_id=organisation.id).order_by("id")
    posted = [(g, None if g.kind is GroupKind.OFFICE else g.unit_id) for g in groups]
    posted = [(g, unit_id) for g, unit_id in posted if g.kind is GroupKind.OFFICE or unit_id is not None]
    # The 分析研判 queries (the database's work) run while the workbooks are written (this
    # process's): each goes on while the other waits, instead of one after the other. A task, not
    # a TaskGroup: an error here stays the error it is (no ExceptionGroup for the callers).
    analysis = asyncio.create_task(
        office_sections(resources.settings, organisation.id, quarter, calendar, now)
    )
    try:
        stats = await quarter_stats(organisation.id, quarter, calendar, now=now)
        files = [await digest_file(stats, calendar, organisation.name, now, u) for _, u in posted]
    except BaseException:
        analysis.cancel()
        await asyncio.wait([analysis])
        if not analysis.cancelled():
            analysis.exception()  # retrieved: the error raised is this one
        raise
    analysis_text = await analysis
    due = report_due_at(calendar, quarter, resources.settings.report_working_days)
    posts: list[tuple[GroupChannel, str, Attachment]] = []
    for (group, unit_id), workbook in zip(posted, files, strict=True):
        text = render_digest(
            stats,
            organisation.name,
            tz=resources.settings.tz,
            unit_id=unit_id,
            report_due=due,
            pending=await pending_list(stats, unit_id),
            analysis=analysis_text if unit_id is None else "",
        )
        posts.append((group, text, workbook))
    return stats, posts


async def post_digest(
    resources: Resources,
    organisation: Organisation,
    quarter: Quarter,
    calendar: WorkCalendar,
    now: dt.datetime,
) -> QuarterStats | None:
    """Post ``quarter``'s digest and open the units' report tasks, once (DutyRun ``digest``): the
    quarterly summary as the worker runs it (`bot.jobs.digest`), and `tiji digest --post`.

    The office group gets the whole organisation's digest with the workbook attached; each unit's
    group gets that unit's, with the unit's workbook. Returns the figures posted, or None if the
    digest had already been posted. The figures are one ``GROUP BY`` and the workbooks are
    streamed, so the memory this takes follows the number of sections, not of matters.
    """
    if quarter.end_at(calendar.tz) > now:
        raise ValueError(f"{quarter.label}还没有结束，不能发布季度汇总；不带 --post 可查看截至目前的数据")
    stats, posts = await _posts(resources, organisation, quarter, calendar, now)
    due = report_due_at(calendar, quarter, resources.settings.report_working_days)
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
            for group, text, workbook in posts:
                key = f"digest:{quarter}:group:{group.id}"
                await batch.group(group, text, dedupe_key=key, attachment=workbook)
    except IntegrityError:
        return None
    await batch.nudge(resources)
    return stats
