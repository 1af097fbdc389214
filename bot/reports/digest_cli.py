"""`tiji digest --quarter 2026Q3 [--post]`: the digest as text, or posted as the worker would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.calendar.quarters import parse_quarter
from bot.calendar.workdays import load_calendar
from bot.reports.digest import DIGEST_KIND, DIGEST_SUBJECT, digest_markdown, post_digest, render_digest
from bot.texts import format_local
from models.org import Organisation
from models.reports import DutyRun

if TYPE_CHECKING:
    from bot.runtime.resources import Resources


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
