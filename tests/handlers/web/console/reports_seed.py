"""A quarter (2026Q4) of the console's test organisation: matters of each outcome, the units'
report tasks, their groups; the clock at Mon 4 Jan 2027 (the report window)."""

from __future__ import annotations

import datetime as dt

from bot.clock import SimClock
from models.enums import Action, WithdrawReason
from models.matter import Matter
from models.org import Department, GroupChannel, Person
from models.reports import ReportTask
from tests.support.console import ConsoleOrg

CN = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2027, 1, 4, 10, 0, tzinfo=CN)
DUE = dt.datetime(2027, 1, 8, 17, 30, tzinfo=CN)


def at(m: int, d: int, hh: int = 9, mm: int = 0, y: int = 2026) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CN).astimezone(dt.UTC)


async def _matter(
    c: ConsoleOrg, dept: Department, seq: int, submitted: dt.datetime, **values: object
) -> Matter:
    fields: dict[str, object] = {"state": "pending", "level": 2, "applicant": f"申请人{seq}", **values}
    return await Matter.create(
        organisation=c.organisation, number=f"TJ-2026-{seq:04d}", year=2026, seq=seq, unit_id=dept.unit_id,
        department=dept, submitter=c.staff, applicant_phone="13800000000", subject="道路运输证换发",
        reason="材料不全", submitted_at=submitted, due_at=submitted + dt.timedelta(days=3), **fields,
    )  # fmt: skip


async def seed_reports(c: ConsoleOrg, clock: SimClock) -> dict[str, GroupChannel]:
    await _matter(c, c.yunzheng, 1, at(11, 2), state="resolved", outcome=Action.CAN_DO, level=2,
                  decided_at=at(11, 2, 9, 12), decided_level=2, decided_hours="0.2")  # fmt: skip
    await _matter(c, c.luzheng, 2, at(11, 3), state="refused", outcome=Action.CONFIRM_NO, level=4,
                  decided_at=at(11, 4), decided_level=4, decided_hours="9")  # fmt: skip
    await _matter(c, c.yunzheng, 3, at(12, 1), state="withdrawn", withdrawn_at=at(12, 1, 10),
                  withdraw_reason=WithdrawReason.MISREPORT)  # fmt: skip
    await _matter(c, c.yanghu, 4, at(12, 30), applicant="<script>alert(1)</script>")
    groups = {
        "office": await GroupChannel.create(
            organisation=c.organisation, code="office", name="活动办公室群", kind="office"
        ),
        "bureau": await GroupChannel.create(
            organisation=c.organisation, code="g-jg", name="局机关群", unit=c.bureau
        ),
        "centre": await GroupChannel.create(
            organisation=c.organisation, code="g-gl", name="公路中心群", unit=c.centre
        ),
    }
    for unit in (c.bureau, c.centre):
        await ReportTask.create(
            organisation=c.organisation, unit=unit, quarter="2026Q4", due_at=DUE, opened_at=NOW
        )
    await Person.filter(id=c.principal.id).update(wecom_userid="juzhang")
    clock.set(NOW)
    return groups
