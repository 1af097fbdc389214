"""A seeded 2026Q4 with every kind of matter the quarter's table counts: decided at each level
(one within minutes), refused with a 说“行”建议, withdrawn for each reason, still pending at the
quarter's end, replied by phone and in writing, overdue — and one from Q3 decided in Q4."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from models.enums import Action, ReplyMethod, StepStatus, WithdrawReason
from models.matter import DecisionStep, Matter, ReplyRecord
from models.org import Department, Person
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter

WAY_FORWARD = "建议补齐营业执照后再申请"


@dataclass
class Seeded:
    org: Org
    matters: dict[str, Matter]


async def _step(
    m: Matter, level: int, who: Person, opened: dt.datetime, decided: dt.datetime | None,
    decision: Action | None, hours: str | None,
) -> None:  # fmt: skip
    await DecisionStep.create(
        organisation_id=m.organisation_id, matter=m, level=level, approver=who,
        status=StepStatus.DECIDED if decided else StepStatus.PENDING, decision=decision,
        decided_by=who if decided else None, decided_at=decided.astimezone(dt.UTC) if decided else None,
        working_hours=Decimal(hours) if hours else None, opened_at=opened.astimezone(dt.UTC),
    )  # fmt: skip


async def _decided(
    o: Org, dept: Department, submitter: str, submitted: dt.datetime, outcome: Action, chain: list[tuple[str, dt.datetime, str]],
    *, replied: tuple[ReplyMethod, dt.datetime] | None = None, way_forward: str = "",
) -> Matter:  # fmt: skip
    """A matter decided by the last of ``chain`` (handle, decided at, working hours), each level
    before it having escalated."""
    level = 1 + len(chain)
    state = "closed" if replied else ("resolved" if outcome is Action.CAN_DO else "refused")
    decided_at = chain[-1][1]
    m = await make_matter(
        o, dept, submitter, submitted, state=state, outcome=outcome.value, level=level,
        decided_at=decided_at, replied_at=replied[1] if replied else None,
    )  # fmt: skip
    total = sum(Decimal(h) for _, _, h in chain)
    await Matter.filter(id=m.id).update(decided_hours=total, way_forward=way_forward)
    opened = submitted
    for index, (handle, at_, hours) in enumerate(chain):
        decision = outcome if index == len(chain) - 1 else Action.ESCALATE
        await _step(m, 2 + index, o.people[handle], opened, at_, decision, hours)
        opened = at_
    if replied:
        await ReplyRecord.create(
            organisation_id=m.organisation_id, matter=m, method=replied[0], content="已电话告知",
            recorded_by=o.people[submitter], recorded_at=replied[1].astimezone(dt.UTC),
        )  # fmt: skip
    return await Matter.get(id=m.id)


async def _withdrawn(
    o: Org, dept: Department, who: str, submitted: dt.datetime, reason: WithdrawReason
) -> Matter:
    m = await make_matter(
        o, dept, who, submitted, state="withdrawn", withdrawn_at=submitted + dt.timedelta(hours=1)
    )
    await Matter.filter(id=m.id).update(withdraw_reason=reason)
    return m


async def seed_quarter() -> Seeded:
    o = await build_org()
    ms: dict[str, Matter] = {}
    # 局机关 · 运输股
    ms["quick"] = await _decided(
        o, o.transport, "s1", at(2026, 11, 2, 9, 0), Action.CAN_DO, [("gu1", at(2026, 11, 2, 9, 12), "0.2")],
        replied=(ReplyMethod.PHONE, at(2026, 11, 2, 10, 0)),
    )  # fmt: skip
    ms["deputy"] = await _decided(
        o,
        o.transport,
        "s1",
        at(2026, 11, 3, 9, 0),
        Action.CAN_DO,
        [("gu1", at(2026, 11, 3, 11, 0), "2"), ("fuju1", at(2026, 11, 4, 9, 0), "7")],
    )  # fmt: skip  never replied: overdue
    ms["pending"] = await make_matter(o, o.transport, "s1", at(2026, 12, 30, 10, 0))
    await _step(ms["pending"], 2, o.people["gu1"], at(2026, 12, 30, 10, 0), None, None, None)
    # 局机关 · 法规股
    ms["refused"] = await _decided(
        o, o.legal, "s2", at(2026, 10, 9, 9, 0), Action.CONFIRM_NO,
        [("gu2", at(2026, 10, 9, 10, 0), "1"), ("fuju2", at(2026, 10, 9, 11, 0), "1"),
         ("juzhang", at(2026, 10, 12, 9, 0), "16")],
        replied=(ReplyMethod.WRITTEN, at(2026, 10, 13, 10, 0)), way_forward=WAY_FORWARD,
    )  # fmt: skip
    ms["applicant"] = await _withdrawn(o, o.legal, "s2", at(2026, 12, 1, 9, 0), WithdrawReason.APPLICANT)
    ms["misreport"] = await _withdrawn(o, o.legal, "s2", at(2026, 12, 2, 9, 0), WithdrawReason.MISREPORT)
    # 公路事业发展中心 · 养护股
    ms["centre_refused"] = await _decided(
        o,
        o.upkeep,
        "s3",
        at(2026, 12, 15, 9, 0),
        Action.CONFIRM_NO,
        [
            ("gu3", at(2026, 12, 15, 10, 0), "1"),
            ("fuzhuren", at(2026, 12, 16, 9, 0), "8"),
            ("zhuren", at(2026, 12, 17, 9, 0), "9"),
        ],
        way_forward=WAY_FORWARD,
    )  # fmt: skip  never replied: overdue
    ms["centre_pending"] = await make_matter(o, o.upkeep, "s3", at(2026, 12, 16, 9, 0), level=3)
    ms["other"] = await _withdrawn(o, o.upkeep, "s3", at(2026, 11, 10, 9, 0), WithdrawReason.OTHER)
    ms["principal"] = await _decided(
        o, o.upkeep, "s3", at(2026, 12, 21, 9, 0), Action.CAN_DO,
        [("gu3", at(2026, 12, 21, 9, 30), "0.5"), ("fuzhuren", at(2026, 12, 21, 10, 0), "0.5"),
         ("zhuren", at(2026, 12, 21, 11, 0), "1")],
        replied=(ReplyMethod.PHONE, at(2026, 12, 22, 9, 0)),
    )  # fmt: skip
    # Accepted in Q3, decided in Q4: Q3's figures (在办 there), not Q4's.
    ms["q3"] = await _decided(
        o, o.upkeep, "s3", at(2026, 9, 29, 9, 0), Action.CAN_DO, [("gu3", at(2026, 10, 9, 9, 0), "27")],
    )  # fmt: skip
    return Seeded(o, ms)
