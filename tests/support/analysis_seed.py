"""A 2026Q4 with every 分析研判 / 考核 figure known by hand (November 2026: no holidays).

运输股 (局机关; head 李股长, deputy 王副局长, principal 张局长), 6 matters by 陈科员:
  T1 能办 at level 2, on time; step L2 2 h.            T2 the same.
  T3 能办 at level 3, on time; L2 escalated after 10 h (over the 9 h step limit), L3 3 h.
  T4 能办 at level 4, decided after its deadline; L2 5 h, L3 5 h, L4 20 h (over the limit).
  T5 不能办 (法律政策不允许), no 政策依据, item YS-01, on time; L2 1 h, L3 1 h, L4 4 h.
  T6 pending at level 2 past its deadline (open step held by 李股长).
法规股 (局机关): L1 不能办 (客观条件不具备) with 政策依据, item YS-01, on time; L2 1, L3 1, L4 2 h.
                L2 withdrawn.
养护股 (公路中心): U1 不能办 (其他), no 政策依据, no item, on time; L2 1, L3 1, L4 2 h.
Outside every figure: a matter of 2026Q3 and one of another organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.catalog import CatalogItem
from models.enums import Action, Platform, RefusalCategory, StepStatus
from models.matter import DecisionStep, Matter
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.org import Organisation, Person
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter

NOW = at(2027, 1, 10, 10, 0)


@dataclass
class Seeded:
    o: Org
    matters: dict[str, Matter]


async def step(
    matter: Matter, approver: Person, level: int, hours: float, decision: Action, *, opened: dt.datetime
) -> DecisionStep:
    return await DecisionStep.create(
        organisation_id=matter.organisation_id,
        matter=matter,
        level=level,
        approver=approver,
        status=StepStatus.DECIDED,
        decision=decision,
        decided_by=approver,
        decided_at=opened + dt.timedelta(hours=hours),
        working_hours=Decimal(str(hours)),
        opened_at=opened,
    )


async def chain(o: Org, matter: Matter, section: str, hours: list[float], last: Action) -> None:
    """Decided steps at levels 2.. with ``hours``; all escalate but the last (``last``)."""
    heads = {"ys": ("gu1", "fuju1"), "fg": ("gu2", "fuju2"), "yh": ("gu3", "fuzhuren")}
    principal = "zhuren" if section == "yh" else "juzhang"
    approvers = [heads[section][0], heads[section][1], principal]
    opened = matter.submitted_at
    for index, spent in enumerate(hours):
        decision = last if index == len(hours) - 1 else Action.ESCALATE
        await step(matter, o.people[approvers[index]], index + 2, spent, decision, opened=opened)
        opened += dt.timedelta(hours=spent)


async def _decided(
    o: Org, name: str, dept: object, who: str, day: int, outcome: str, level: int, **kw: object
) -> Matter:
    from models.org import Department

    assert isinstance(dept, Department)
    decided_at = kw.pop("decided_at", at(2026, 11, day, 16, 0))
    replied_at = kw.pop("replied_at", at(2026, 11, day + 1, 9, 0))
    matter = await make_matter(
        o, dept, who, at(2026, 11, day, 9, 0), state="closed", outcome=outcome, level=level,
        decided_at=decided_at, replied_at=replied_at,  # type: ignore[arg-type]
    )  # fmt: skip
    for key, value in kw.items():
        setattr(matter, key, value)
    matter.applicant = f"{name}申请人"
    await matter.save()
    return matter


async def seed() -> Seeded:
    o = await build_org()
    for head, dept in (("gu1", o.transport), ("gu2", o.legal), ("gu3", o.upkeep)):
        o.people[head].department_id = dept.id
        await o.people[head].save()
    item = await CatalogItem.create(
        organisation=o.org, department=o.transport, code="YS-01", name="道路运输经营许可", category="行政许可"
    )
    m: dict[str, Matter] = {}
    can, no = Action.CAN_DO.value, Action.CONFIRM_NO.value
    m["T1"] = await _decided(o, "T1", o.transport, "s1", 2, can, 2)
    await chain(o, m["T1"], "ys", [2], Action.CAN_DO)
    m["T2"] = await _decided(o, "T2", o.transport, "s1", 3, can, 2)
    await chain(o, m["T2"], "ys", [2], Action.CAN_DO)
    m["T3"] = await _decided(o, "T3", o.transport, "s1", 4, can, 3)
    await chain(o, m["T3"], "ys", [10, 3], Action.CAN_DO)
    # Submitted Mon 9 Nov, due Thu 12 Nov 17:30, decided Fri 13 Nov: late.
    m["T4"] = await _decided(
        o,
        "T4",
        o.transport,
        "s1",
        9,
        can,
        4,
        decided_at=at(2026, 11, 13, 10, 0),
        replied_at=at(2026, 11, 13, 11, 0),
    )
    await chain(o, m["T4"], "ys", [5, 5, 20], Action.CAN_DO)
    m["T5"] = await _decided(
        o, "T5", o.transport, "s1", 16, no, 4, refusal_category=RefusalCategory.LAW, catalog_item_id=item.id
    )
    await chain(o, m["T5"], "ys", [1, 1, 4], Action.CONFIRM_NO)
    m["T6"] = await make_matter(o, o.transport, "s1", at(2026, 12, 1, 9, 0), state="pending", level=2)
    await DecisionStep.create(
        organisation_id=o.org.id, matter=m["T6"], level=2, approver=o.people["gu1"],
        status=StepStatus.PENDING, opened_at=m["T6"].submitted_at,
    )  # fmt: skip
    m["L1"] = await _decided(
        o, "L1", o.legal, "s2", 17, no, 4, refusal_category=RefusalCategory.CONDITIONS,
        catalog_item_id=item.id, policy_basis="《道路运输条例》第十条",
    )  # fmt: skip
    await chain(o, m["L1"], "fg", [1, 1, 2], Action.CONFIRM_NO)
    m["L2"] = await make_matter(
        o, o.legal, "s2", at(2026, 11, 18, 9, 0), state="withdrawn", withdrawn_at=at(2026, 11, 18, 10, 0)
    )
    m["U1"] = await _decided(o, "U1", o.upkeep, "s3", 19, no, 4, refusal_category=RefusalCategory.OTHER)
    await chain(o, m["U1"], "yh", [1, 1, 2], Action.CONFIRM_NO)
    # Outside: Q3, and another organisation's matter.
    m["Q3"] = await make_matter(
        o, o.transport, "s1", at(2026, 9, 1, 9, 0), state="closed", outcome=can, level=2,
        decided_at=at(2026, 9, 1, 10, 0), replied_at=at(2026, 9, 1, 11, 0),
    )  # fmt: skip
    await chain(o, m["Q3"], "ys", [30], Action.CAN_DO)
    await _other_organisation()
    await _reminders(o)
    return Seeded(o, m)


async def _reminders(o: Org) -> None:
    """李股长 3 reminders in 2026 (two ladder rungs and a 催办), one in 2025; 张局长 one report
    reminder; 王副局长 only a 请督促 copy (not a reminder against him)."""
    rows = [
        ("gu1", "reminder:pending_4h:step:1", at(2026, 11, 2, 13, 0)),
        ("gu1", "reminder:deadline:step:2:holder", at(2026, 12, 4, 17, 30)),
        ("gu1", "nudge:6:9:2026-12-02T09:00:00+08:00", at(2026, 12, 2, 9, 0)),
        ("gu1", "reminder:pending_4h:step:99", at(2025, 12, 2, 9, 0)),
        ("juzhang", "reminder:report_day4:2026Q3:unit:1:principal", at(2026, 10, 9, 9, 0)),
        ("fuju1", "reminder:deadline:step:2:up", at(2026, 12, 4, 17, 30)),
    ]
    for handle, key, when in rows:
        await OutboxMessage.create(
            organisation=o.org, dedupe_key=key, kind=OutboxKind.TEXT, platform=Platform.WECOM,
            person=o.people[handle], payload={"text": "催办"}, status=OutboxStatus.SENT,
            next_attempt_at=when, created_at=when,
        )  # fmt: skip


async def _other_organisation() -> None:
    from models.org import Department, Unit

    other = await Organisation.create(code="other", name="别的局")
    unit = await Unit.create(organisation=other, code="u", name="别的单位")
    dept = await Department.create(organisation=other, unit=unit, code="d", name="别的股")
    person = await Person.create(organisation=other, unit=unit, handle="x", name="外人", roles=["staff"])
    await Matter.create(
        organisation=other, number="TJ-2026-0001", year=2026, seq=1, unit=unit, department=dept,
        submitter=person, applicant="外单位申请人", applicant_phone="1", subject="s", reason="r",
        state="closed", level=4, outcome="confirm_no", submitted_at=at(2026, 11, 2, 9, 0),
        due_at=at(2026, 11, 5, 17, 30), decided_at=at(2026, 11, 2, 10, 0), decided_level=4,
    )  # fmt: skip
