"""Matters for the console's matter pages, on ``tests.support.console.console_org()`` (the clock of
the tests starts on Monday 2026-11-30 09:00 +08:00):

- ``overdue``: TJ-2026-0001, 运政股 (局机关), pending at 股室负责人 since 11-20, due 11-25 → red;
- ``closed``: TJ-2026-0002, 路政股, 能办 by the 股室负责人, replied by phone;
- ``refused``: TJ-2026-0003, 运政股, escalated to 主要领导 who confirmed no; reply owed, due 11-30
  17:00 → yellow; a 催办 reminder in the outbox, a comment in the audit log;
- ``owed``: TJ-2026-0004, 养护股 (公路中心), 能办 by the 分管领导, reply owed since 11-26 → red;
- ``old``: TJ-2026-0005, 运政股, withdrawn in 2026Q3;
- ``foreign``: TJ-2026-0001 of the other organisation (must never show).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bot.audit import append_audit
from models.enums import (
    Action,
    MatterState,
    Platform,
    RefusalCategory,
    ReplyMethod,
    StepStatus,
    WithdrawReason,
)
from models.matter import DecisionStep, Matter, ReplyRecord
from models.messaging import OutboxKind, OutboxMessage, OutboxStatus
from models.org import Department, GroupChannel, Person, Unit
from tests.support.console import ConsoleOrg

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: int, hour: int = 9, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@dataclass
class SeededMatters:
    overdue: Matter
    closed: Matter
    refused: Matter
    owed: Matter
    old: Matter
    foreign: Matter
    office_group: GroupChannel
    unit_group: GroupChannel


async def _matter(
    org_id: int,
    seq: int,
    unit: Unit,
    department: Department,
    submitter: Person,
    submitted: dt.datetime,
    due: dt.datetime,
    state: MatterState,
    level: int,
    **fields: object,
) -> Matter:
    values: dict[str, object] = {
        "applicant": f"申请人{seq}",
        "applicant_phone": f"1390000000{seq}",
        "subject": f"事项{seq}",
        "reason": f"理由{seq}",
        **fields,
    }
    return await Matter.create(
        organisation_id=org_id,
        number=f"TJ-2026-{seq:04d}",
        year=2026,
        seq=seq,
        unit=unit,
        department=department,
        submitter=submitter,
        state=state,
        level=level,
        submitted_at=submitted,
        due_at=due,
        **values,
    )


async def _step(
    matter: Matter, level: int, approver: Person, opened: dt.datetime, **fields: object
) -> DecisionStep:
    return await DecisionStep.create(
        organisation_id=matter.organisation_id,
        matter=matter,
        level=level,
        approver=approver,
        status=fields.pop("status", StepStatus.DECIDED),
        opened_at=opened,
        **fields,
    )


async def seed_matters(c: ConsoleOrg) -> SeededMatters:
    org = c.organisation.id
    overdue = await _matter(
        org,
        1,
        c.bureau,
        c.yunzheng,
        c.staff,
        at(20),
        at(25, 17),
        MatterState.PENDING,
        2,
        applicant="桐城货运公司",
        subject="道路运输证换发",
        reason="材料不全，无法换发",
    )
    await _step(overdue, 2, c.head, at(20), status=StepStatus.PENDING)
    closed = await _matter(
        org,
        2,
        c.bureau,
        c.luzheng,
        c.staff,
        at(16),
        at(19, 17),
        MatterState.CLOSED,
        2,
        outcome=Action.CAN_DO,
        decided_level=2,
        decided_at=at(17),
        replied_at=at(18),
        closed_at=at(18),
        decided_hours=Decimal("8"),
    )
    await _step(
        closed,
        2,
        c.head,
        at(16),
        decision=Action.CAN_DO,
        decided_by=c.head,
        decided_at=at(17),
        comment="材料补齐后当场办理",
    )
    await ReplyRecord.create(
        organisation_id=org,
        matter=closed,
        method=ReplyMethod.PHONE,
        callee_phone="13900000002",
        content="已电话告知可办理",
        recorded_by=c.staff,
        recorded_at=at(18),
    )
    refused = await _matter(
        org,
        3,
        c.bureau,
        c.yunzheng,
        c.staff,
        at(26),
        at(30, 17),
        MatterState.REFUSED,
        4,
        outcome=Action.CONFIRM_NO,
        decided_level=4,
        decided_at=at(27),
        refusal_category=RefusalCategory.LAW,
        decision_text="法规明确禁止",
        way_forward="建议申请临时通行证",
        policy_basis="《道路运输条例》第十条",
    )
    await _step(
        refused,
        2,
        c.head,
        at(26, 9),
        decision=Action.ESCALATE,
        decided_by=c.head,
        decided_at=at(26, 10),
        comment="把握不准",
    )
    await _step(
        refused,
        3,
        c.deputy,
        at(26, 10),
        decision=Action.ESCALATE,
        decided_by=c.deputy,
        decided_at=at(26, 15),
        comment="需主要领导定",
    )
    top = await _step(
        refused,
        4,
        c.principal,
        at(26, 15),
        decision=Action.CONFIRM_NO,
        decided_by=c.principal,
        decided_at=at(27),
        comment="法规明确禁止",
        way_forward="建议申请临时通行证",
        refusal_category=RefusalCategory.LAW,
    )
    owed = await _matter(
        org,
        4,
        c.centre,
        c.yanghu,
        c.staff,
        at(23),
        at(26, 17),
        MatterState.RESOLVED,
        3,
        outcome=Action.CAN_DO,
        decided_level=3,
        decided_at=at(24),
    )
    old = await _matter(
        org,
        5,
        c.bureau,
        c.yunzheng,
        c.staff,
        at(10, month=9),
        at(15, 17, month=9),
        MatterState.WITHDRAWN,
        2,
        withdrawn_at=at(11, month=9),
        withdraw_reason=WithdrawReason.APPLICANT,
    )
    other_unit = await Unit.get(organisation_id=c.other.id)
    other_department = await Department.create(
        organisation=c.other, unit=other_unit, code="x", name="潜山运政股"
    )
    foreign = await _matter(
        c.other.id,
        1,
        other_unit,
        other_department,
        c.other_office,
        at(20),
        at(25, 17),
        MatterState.PENDING,
        2,
        applicant="潜山外单位申请人",
    )
    office_group = await GroupChannel.create(
        organisation=c.organisation, code="office", name="活动办公室群", kind="office"
    )
    unit_group = await GroupChannel.create(
        organisation=c.organisation, code="jg", name="局机关群", unit=c.bureau
    )
    await OutboxMessage.create(
        organisation_id=org,
        dedupe_key=f"reminder:reply_due:matter:{refused.id}",
        kind=OutboxKind.TEXT,
        platform=Platform.WECOM,
        person=c.staff,
        payload={"text": "请回复"},
        status=OutboxStatus.SENT,
        next_attempt_at=at(1, 8, month=12),
        created_at=at(30, 8, month=11),
    )
    await append_audit(
        org,
        at=at(26, 11),
        actor=c.deputy.handle,
        action="comment",
        subject=refused.number,
        data={"step": top.id, "text": "请依法答复", "via": "dingtalk"},
    )
    await append_audit(
        org,
        at=at(27),
        actor=c.principal.handle,
        action="confirm_no",
        subject=refused.number,
        data={"step": top.id, "via": "wecom"},
    )
    return SeededMatters(overdue, closed, refused, owed, old, foreign, office_group, unit_group)
