"""Scheduled duties: reminders, overdue alerts, the quarterly digest and report tasks.

The org and the matters are written directly with the models (the workflow service is tested on
its own); the clock is moved and ``run_due_work`` is called as the cron would.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.calendar.workdays import WorkCalendar, load_calendar
from bot.cards import Card
from bot.clock import SimClock
from bot.jobs import passes
from bot.jobs.passes import PASSES, Pass, run_due_work
from bot.jobs.reply_reminders import remind_owed_replies
from bot.outbound import Attachment, CardDelivery, GroupTarget, Recipient
from bot.reports.tasks import confirm_report
from bot.runtime.resources import Resources
from models.cards import CardInstance
from models.enums import CardKind
from models.matter import DecisionStep, Matter
from models.messaging import OutboxMessage
from models.org import Department, GroupChannel, Organisation, Person, StandIn, Unit
from models.reports import DutyRun, ReportTask

CN = dt.timezone(dt.timedelta(hours=8))


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=CN)


@dataclass
class Org:
    org: Organisation
    bureau: Unit
    centre: Unit
    transport: Department  # 运输股 (bureau)
    legal: Department  # 法规股 (bureau)
    upkeep: Department  # 养护股 (centre)
    people: dict[str, Person]
    office_group: GroupChannel
    bureau_group: GroupChannel
    centre_group: GroupChannel


async def build_org() -> Org:
    """Two units; the bureau has two sections, the centre one; heads, deputies, principals, office."""
    org = await Organisation.create(code="tb", name="桐柏县交通运输局", default_platform="wecom")
    bureau = await Unit.create(organisation=org, code="jg", name="局机关", kind="bureau")
    centre = await Unit.create(organisation=org, code="gl", name="公路事业发展中心", kind="subordinate")
    people: dict[str, Person] = {}

    async def person(handle: str, name: str, unit: Unit, roles: list[str]) -> Person:
        people[handle] = await Person.create(
            organisation=org, unit=unit, handle=handle, name=name, roles=roles, wecom_userid=handle
        )
        return people[handle]

    principal = await person("juzhang", "张局长", bureau, ["principal"])
    centre_principal = await person("zhuren", "孙主任", centre, ["principal"])
    deputy1 = await person("fuju1", "王副局长", bureau, ["deputy"])
    deputy2 = await person("fuju2", "赵副局长", bureau, ["deputy"])
    deputy3 = await person("fuzhuren", "钱副主任", centre, ["deputy"])
    head1 = await person("gu1", "李股长", bureau, ["section_head"])
    head2 = await person("gu2", "周股长", bureau, ["section_head"])
    head3 = await person("gu3", "吴股长", centre, ["section_head"])
    await person("office", "郑干事", bureau, ["office"])
    bureau.principal_id = principal.id
    await bureau.save()
    centre.principal_id = centre_principal.id
    await centre.save()
    transport = await Department.create(
        organisation=org, unit=bureau, code="ys", name="运输股", head_id=head1.id, deputy_id=deputy1.id
    )
    legal = await Department.create(
        organisation=org, unit=bureau, code="fg", name="法规股", head_id=head2.id, deputy_id=deputy2.id
    )
    upkeep = await Department.create(
        organisation=org, unit=centre, code="yh", name="养护股", head_id=head3.id, deputy_id=deputy3.id
    )
    for handle, name, dept in (
        ("s1", "陈科员", transport),
        ("s2", "刘科员", legal),
        ("s3", "杨科员", upkeep),
    ):
        staff = await person(handle, name, await dept.unit, ["staff"])
        staff.department_id = dept.id
        await staff.save()
    office_group = await GroupChannel.create(
        organisation=org, code="office", name="活动办公室群", kind="office"
    )
    bureau_group = await GroupChannel.create(
        organisation=org, code="g-jg", name="局机关群", kind="unit", unit=bureau
    )
    centre_group = await GroupChannel.create(
        organisation=org, code="g-gl", name="公路中心群", kind="unit", unit=centre
    )
    return Org(
        org, bureau, centre, transport, legal, upkeep, people, office_group, bureau_group, centre_group
    )


async def make_matter(
    o: Org,
    dept: Department,
    submitter: str,
    submitted_at: dt.datetime,
    *,
    state: str = "pending",
    level: int = 2,
    outcome: str | None = None,
    decided_at: dt.datetime | None = None,
    replied_at: dt.datetime | None = None,
    withdrawn_at: dt.datetime | None = None,
    due_at: dt.datetime | None = None,
) -> Matter:
    """A matter with its real reply deadline (3 working days, per the organisation's calendar)."""
    calendar = WorkCalendar(
        tz=ZoneInfo("Asia/Shanghai"), office_start=dt.time(8, 30), office_end=dt.time(17, 30)
    )
    seq = await Matter.filter(organisation=o.org).count() + 1
    year = submitted_at.year

    def utc(moment: dt.datetime | None) -> dt.datetime | None:
        # Stored as the bot stores every moment, in UTC (SQLite compares the stored text).
        return None if moment is None else moment.astimezone(dt.UTC)

    return await Matter.create(
        organisation=o.org,
        number=f"TJ-{year}-{seq:04d}",
        year=year,
        seq=seq,
        unit_id=dept.unit_id,
        department=dept,
        submitter=o.people[submitter],
        applicant=f"申请人{seq}",
        applicant_phone="13800000000",
        subject="道路运输经营许可",
        reason="材料不全",
        state=state,
        level=level,
        outcome=outcome,
        submitted_at=utc(submitted_at),
        due_at=utc(due_at) or calendar.deadline_for(submitted_at, 3),
        decided_at=utc(decided_at),
        decided_level=level if decided_at else None,
        replied_at=utc(replied_at),
        withdrawn_at=utc(withdrawn_at),
        closed_at=utc(replied_at),
    )


async def make_step(
    matter: Matter, approver: Person, opened_at: dt.datetime, *, level: int = 2, status: str = "pending"
) -> DecisionStep:
    return await DecisionStep.create(
        organisation_id=matter.organisation_id,
        matter=matter,
        level=level,
        approver=approver,
        status=status,
        opened_at=opened_at,
    )


async def rows(prefix: str) -> list[OutboxMessage]:
    return (
        await OutboxMessage.filter(dedupe_key__startswith=prefix)
        .order_by("id")
        .prefetch_related("person", "group")
    )


def handle(row: OutboxMessage) -> str:
    """The handle of the person a (prefetched) outbox row goes to."""
    assert row.person is not None, row.dedupe_key
    return row.person.handle


def group_of(row: OutboxMessage) -> GroupChannel:
    assert row.group is not None, row.dedupe_key
    return row.group


async def run_at(resources: Resources, clock: SimClock, when: dt.datetime) -> dict[str, int]:
    clock.set(when)
    return await run_due_work(resources)


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await build_org()


# --- pending for 4 working hours ---------------------------------------------------------------


async def test_pending_reminder_after_four_working_hours_once(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    step = await make_step(matter, org.people["gu1"], at(2026, 11, 30, 9, 0))

    # Nothing to chase yet; only the holder's morning card of the day (due from 08:30) goes out.
    assert await run_at(resources, clock, at(2026, 11, 30, 12, 59)) == {
        **dict.fromkeys(PASSES, 0),
        "morning_cards": 1,
    }
    assert await rows("reminder:pending_4h") == []

    # Each pass says how many messages it queued (the simulator's tick names those that sent).
    assert await run_at(resources, clock, at(2026, 11, 30, 13, 0)) == {
        **dict.fromkeys(PASSES, 0),
        "reminders": 1,
    }
    sent = await rows("reminder:pending_4h")
    assert [r.dedupe_key for r in sent] == [f"reminder:pending_4h:step:{step.id}"]
    assert handle(sent[0]) == "gu1"
    text = str(sent[0].payload["text"])
    assert matter.number in text and "4 个工作小时" in text and "股室负责人" in text

    before = await OutboxMessage.exclude(dedupe_key__startswith="morning:").count()
    await run_at(resources, clock, at(2026, 11, 30, 13, 5))
    await run_at(
        resources, clock, at(2026, 12, 1, 10, 0)
    )  # the morning card aside (tests/bot/jobs/test_morning.py)
    assert await OutboxMessage.exclude(dedupe_key__startswith="morning:").count() == before
    assert await DutyRun.filter(kind="pending_4h").count() == 1


async def test_pending_reminder_counts_working_hours_over_a_weekend(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # Friday 16:00: 1.5 office hours that day, none on Saturday and Sunday, 2.5 on Monday by 11:00.
    matter = await make_matter(org, org.transport, "s1", at(2026, 12, 4, 15, 0))
    step = await make_step(matter, org.people["gu1"], at(2026, 12, 4, 16, 0))
    for moment in (
        at(2026, 12, 4, 17, 30),
        at(2026, 12, 5, 12, 0),
        at(2026, 12, 6, 20, 0),
        at(2026, 12, 7, 10, 59),
    ):
        await run_at(resources, clock, moment)
        assert await rows("reminder:pending_4h") == [], moment
    await run_at(resources, clock, at(2026, 12, 7, 11, 0))
    assert [r.dedupe_key for r in await rows("reminder:pending_4h")] == [
        f"reminder:pending_4h:step:{step.id}"
    ]


async def test_pending_reminder_skips_new_year_holiday(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # Thursday 31 Dec 16:00; 1 January 2027 (Friday) is a holiday, so the 4 hours end Monday 11:00.
    matter = await make_matter(org, org.transport, "s1", at(2026, 12, 31, 15, 0))
    await make_step(matter, org.people["gu1"], at(2026, 12, 31, 16, 0))
    await run_at(resources, clock, at(2027, 1, 1, 15, 0))
    assert await rows("reminder:pending_4h") == []
    await run_at(resources, clock, at(2027, 1, 4, 10, 30))
    assert await rows("reminder:pending_4h") == []
    await run_at(resources, clock, at(2027, 1, 4, 11, 0))
    assert len(await rows("reminder:pending_4h")) == 1


async def test_awaiting_text_step_is_reminded_to_give_its_reason(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0), level=4)
    await make_step(matter, org.people["juzhang"], at(2026, 11, 30, 9, 0), level=4, status="awaiting_text")
    await run_at(resources, clock, at(2026, 11, 30, 14, 0))
    [row] = await rows("reminder:pending_4h")
    assert handle(row) == "juzhang"
    assert "理由：" in str(row.payload["text"]) and "说“行”建议" in str(row.payload["text"])


async def test_decided_or_withdrawn_steps_are_not_reminded(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    done = await make_matter(
        org, org.transport, "s1", at(2026, 11, 30, 9, 0), state="resolved", outcome="can_do",
        decided_at=at(2026, 11, 30, 9, 30),
    )  # fmt: skip
    await make_step(done, org.people["gu1"], at(2026, 11, 30, 9, 0), status="decided")
    gone = await make_matter(
        org,
        org.transport,
        "s1",
        at(2026, 11, 30, 9, 0),
        state="withdrawn",
        withdrawn_at=at(2026, 11, 30, 9, 5),
    )
    await make_step(gone, org.people["gu1"], at(2026, 11, 30, 9, 0), status="superseded")
    await run_at(resources, clock, at(2026, 12, 2, 10, 0))
    assert await rows("reminder:pending_4h") == []
    assert await rows("reminder:due_morning") == []


# --- fresh card with the reminder --------------------------------------------------------------


class ExpiringMessenger:
    """A messenger whose delivered cards can (or can no longer) be updated."""

    platform = "simulator"

    def __init__(self, updatable: bool) -> None:
        self.updatable = updatable
        self.asked: list[Mapping[str, str]] = []

    def card_updatable(self, state: Mapping[str, str], now: dt.datetime) -> bool:
        self.asked.append(state)
        return self.updatable

    async def send_text(self, to: Recipient, text: str, *, markdown: bool, dedupe_key: str) -> None:
        raise AssertionError("duties only write the outbox")

    async def send_card(self, to: Recipient, card: Card, *, dedupe_key: str) -> CardDelivery:
        raise AssertionError("duties only write the outbox")

    async def update_card(
        self, to: Recipient, card: Card, *, state: Mapping[str, str], dedupe_key: str
    ) -> CardDelivery:
        raise AssertionError("duties only write the outbox")

    async def post_to_group(
        self, group: GroupTarget, markdown: str, *, attachment: Attachment | None, dedupe_key: str
    ) -> None:
        raise AssertionError("duties only write the outbox")


@pytest.mark.parametrize("updatable", [False, True])
async def test_reminder_issues_a_fresh_card_when_the_old_one_expired(
    resources: Resources, clock: SimClock, org: Org, updatable: bool
) -> None:
    messenger = ExpiringMessenger(updatable)
    resources.messengers["simulator"] = messenger
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    step = await make_step(matter, org.people["gu1"], at(2026, 11, 30, 9, 0))
    old = await CardInstance.create(
        organisation=org.org, ref="tj-old-card", kind=CardKind.DECISION, subject_id=step.id, recipient=org.people["gu1"], platform="simulator",
        platform_state={"response_code": "rc-1"}, created_at=at(2026, 11, 30, 9, 0),
    )  # fmt: skip

    await run_at(resources, clock, at(2026, 11, 30, 13, 30))
    assert messenger.asked == [{"response_code": "rc-1"}]
    cards = await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id).order_by("id")
    [reminder] = await rows("reminder:pending_4h")
    if updatable:
        assert [c.id for c in cards] == [old.id]
        assert "待办" in str(reminder.payload["text"])
    else:
        assert len(cards) == 2 and cards[1].ref != old.ref and cards[1].recipient_id == org.people["gu1"].id
        card_rows = await OutboxMessage.filter(kind="card", card_id=cards[1].id)
        assert len(card_rows) == 1 and card_rows[0].person_id == org.people["gu1"].id
        assert "重新发送" in str(reminder.payload["text"])
    await run_at(resources, clock, at(2026, 11, 30, 14, 0))
    assert await CardInstance.filter(kind=CardKind.DECISION, subject_id=step.id).count() == len(cards)


# --- the morning of the due day ----------------------------------------------------------------


async def test_due_morning_reminder_to_open_steps_once(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # Submitted Monday 30 Nov: due Thursday 3 Dec 17:30. Escalated to the deputy on Wednesday.
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0), level=3)
    assert matter.due_at == at(2026, 12, 3, 17, 30)
    # 王副局长 is away: 赵副局长 stands in for him (代理).
    step = await make_step(matter, org.people["fuju2"], at(2026, 12, 2, 16, 0), level=3)
    step.on_behalf_of_id = org.people["fuju1"].id
    await step.save()
    # Reminders go to whoever holds the step when they are sent: the stand-in's range covers 12-03.
    await StandIn.create(
        organisation=org.org, person=org.people["fuju1"], stand_in=org.people["fuju2"],
        start_date=dt.date(2026, 12, 2), end_date=dt.date(2026, 12, 4),
    )  # fmt: skip

    await run_at(resources, clock, at(2026, 12, 2, 17, 0))
    await run_at(resources, clock, at(2026, 12, 3, 8, 29))
    assert await rows("reminder:due_morning") == []
    await run_at(resources, clock, at(2026, 12, 3, 8, 30))
    [row] = await rows("reminder:due_morning")
    assert row.dedupe_key == f"reminder:due_morning:step:{step.id}"
    assert handle(row) == "fuju2"
    assert "今日 17:30 前" in str(row.payload["text"]) and "（代 王副局长）以分管领导身份" in str(
        row.payload["text"]
    )
    await run_at(resources, clock, at(2026, 12, 3, 11, 0))
    assert len(await rows("reminder:due_morning")) == 1
    assert await DutyRun.filter(kind="due_morning").count() == 1


async def test_reply_due_reminder_to_the_submitter(resources: Resources, clock: SimClock, org: Org) -> None:
    decided = await make_matter(
        org, org.transport, "s1", at(2026, 11, 30, 9, 0), state="resolved", outcome="can_do",
        decided_at=at(2026, 12, 1, 10, 0),
    )  # fmt: skip
    replied = await make_matter(
        org, org.transport, "s1", at(2026, 11, 30, 9, 0), state="closed", outcome="can_do",
        decided_at=at(2026, 12, 1, 10, 0), replied_at=at(2026, 12, 2, 10, 0),
    )  # fmt: skip
    assert replied.due_at == decided.due_at
    await run_at(resources, clock, at(2026, 12, 2, 10, 0))
    assert await rows("reminder:reply_due") == []
    await run_at(resources, clock, at(2026, 12, 3, 8, 45))
    [row] = await rows("reminder:reply_due")
    assert row.dedupe_key == f"reminder:reply_due:matter:{decided.id}"
    assert handle(row) == "s1"
    assert "请于今日 17:30 前回复申请人" in str(row.payload["text"])
    await run_at(resources, clock, at(2026, 12, 3, 9, 45))
    assert len(await rows("reminder:reply_due")) == 1


# --- overdue -----------------------------------------------------------------------------------


async def test_at_the_deadline_the_holder_the_next_level_up_and_the_office_are_told_once(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # Issue 8 changed this rung: the old alert went to the section head (who may hold the step
    # himself) once per matter; now it goes to whoever holds the step, the leader above, the office.
    late = await make_matter(org, org.legal, "s2", at(2026, 11, 30, 9, 0), level=3)
    step = await make_step(late, org.people["fuju2"], at(2026, 12, 1, 9, 0), level=3)
    answered = await make_matter(
        org, org.legal, "s2", at(2026, 11, 30, 9, 0), state="closed", outcome="can_do",
        decided_at=at(2026, 12, 1, 9, 0), replied_at=at(2026, 12, 3, 17, 0),
    )  # fmt: skip
    await make_matter(
        org, org.legal, "s2", at(2026, 11, 30, 9, 0), state="withdrawn", withdrawn_at=at(2026, 11, 30, 10, 0)
    )
    assert answered.due_at == late.due_at == at(2026, 12, 3, 17, 30)

    await run_at(resources, clock, at(2026, 12, 3, 17, 29))  # the clock runs on: 17:30 is already past
    assert await rows("reminder:deadline") == []
    await run_at(resources, clock, at(2026, 12, 3, 17, 31))
    sent = await rows("reminder:deadline")
    key = f"reminder:deadline:step:{step.id}"
    assert {r.dedupe_key for r in sent} == {
        f"{key}:holder",
        f"{key}:up",
        f"{key}:group:{org.office_group.id}",
    }
    group_row = next(r for r in sent if r.group is not None)
    by_key = {r.dedupe_key: r for r in sent}
    assert group_of(group_row).kind == "office"
    assert handle(by_key[f"{key}:holder"]) == "fuju2" and handle(by_key[f"{key}:up"]) == "juzhang"
    holder_text, up_text = (str(by_key[f"{key}:{k}"].payload["text"]) for k in ("holder", "up"))
    assert "请立即处理" in holder_text and "督促" not in holder_text
    assert "督促" in up_text and "赵副局长" in up_text
    for text in (str(group_row.payload["markdown"]), holder_text, up_text):
        assert late.number in text and "2026-12-03 17:30" in text and "已超过回复期限" in text
    assert "赵副局长" in str(group_row.payload["markdown"])
    assert not [
        r
        for r in await OutboxMessage.all().prefetch_related("person")
        if r.person and r.person.handle == "gu2"
    ]
    await run_at(resources, clock, at(2026, 12, 3, 17, 45))
    assert len(await rows("reminder:deadline")) == 3
    assert await DutyRun.filter(kind="deadline").count() == 1

    # Then every working day at 09:00, to the holder and the leader above (the office was told).
    await run_at(resources, clock, at(2026, 12, 4, 9, 0))
    await run_at(resources, clock, at(2026, 12, 4, 15, 0))
    await run_at(resources, clock, at(2026, 12, 6, 9, 0))  # Sunday
    await run_at(resources, clock, at(2026, 12, 7, 9, 0))
    daily = await rows("reminder:overdue_daily")
    assert [(r.dedupe_key.split(":")[4], handle(r)) for r in daily] == [
        ("2026-12-04", "fuju2"), ("2026-12-04", "juzhang"), ("2026-12-07", "fuju2"), ("2026-12-07", "juzhang"),
    ]  # fmt: skip
    assert "已逾期 1 个工作日" in str(daily[0].payload["text"])
    assert "已逾期 2 个工作日" in str(daily[2].payload["text"])
    assert len(await rows("reminder:deadline")) == 3


async def test_a_lost_race_rolls_back_and_sends_nothing_twice(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    """A DutyRun already present (another worker won) leaves no outbox row of this run behind."""
    late = await make_matter(org, org.legal, "s2", at(2026, 11, 30, 9, 0))
    late_step = await make_step(late, org.people["gu2"], at(2026, 11, 30, 9, 0))
    clock.set(at(2026, 12, 4, 9, 0))
    from bot.jobs.duty import Duty

    duty = Duty(resources, org.org, await load_calendar(resources.settings, org.org.id), clock.now())
    await DutyRun.create(
        organisation=org.org, kind="deadline", subject=f"step:{late_step.id}", period="", ran_at=clock.now()
    )

    async def write(batch: object) -> None:
        await OutboxMessage.create(
            organisation=org.org, dedupe_key="should-roll-back", kind="text", platform="simulator",
            next_attempt_at=clock.now(), created_at=clock.now(),
        )  # fmt: skip

    assert await duty.once("deadline", f"step:{late_step.id}", "", write) is False
    assert not await OutboxMessage.filter(dedupe_key="should-roll-back").exists()
    # The pass after it goes on with the other items as usual.
    other = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    other_step = await make_step(other, org.people["gu1"], at(2026, 11, 30, 9, 0))
    await run_due_work(resources)
    assert {r.dedupe_key.split(":")[3] for r in await rows("reminder:deadline")} == {str(other_step.id)}


# --- quarterly digest and report tasks ---------------------------------------------------------


async def test_digest_on_first_working_day_of_2027q1_at_nine(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # 2027Q1: 1 January is a holiday (Friday), so the first working day is Monday 4 January.
    calendar = await load_calendar(resources.settings, org.org.id)
    assert calendar.workday_on_or_after(dt.date(2027, 1, 1)) == dt.date(2027, 1, 4)
    await make_matter(
        org, org.transport, "s1", at(2026, 11, 2, 9, 0), state="closed", outcome="can_do",
        decided_at=at(2026, 11, 2, 11, 0), replied_at=at(2026, 11, 3, 9, 0),
    )  # fmt: skip

    for moment in (at(2026, 12, 31, 17, 0), at(2027, 1, 1, 10, 0), at(2027, 1, 4, 8, 59)):
        await run_at(resources, clock, moment)
        assert await rows("digest:") == [], moment
        assert await ReportTask.all().count() == 0

    await run_at(resources, clock, at(2027, 1, 4, 9, 0))
    posted = await rows("digest:")
    assert {(group_of(r).code, r.dedupe_key) for r in posted} == {
        ("office", f"digest:2026Q4:group:{org.office_group.id}"),
        ("g-jg", f"digest:2026Q4:group:{org.bureau_group.id}"),
        ("g-gl", f"digest:2026Q4:group:{org.centre_group.id}"),
    }
    office = next(r for r in posted if group_of(r).kind == "office")
    assert "2026年第4季度" in str(office.payload["markdown"])
    attachment = office.payload["attachment"]
    assert isinstance(attachment, dict) and attachment["filename"] == "说不事项提级管理汇总表_2026Q4.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(str(attachment["content_b64"]))))
    sheet = book["全局汇总"]  # a row per unit: 受理, 能办 (小计, 股室负责人, …)
    assert sheet["A7"].value == "局机关" and sheet["B7"].value == 1 and sheet["D7"].value == 1
    centre = next(r for r in posted if group_of(r).code == "g-gl")
    assert "公路事业发展中心" in str(centre.payload["markdown"]) and "养护股" in str(
        centre.payload["markdown"]
    )
    # Each unit's group gets its own workbook (its sheet and its matters).
    unit_file = centre.payload["attachment"]
    assert isinstance(unit_file, dict)
    assert unit_file["filename"] == "说不事项提级管理汇总表_2026Q4_公路事业发展中心.xlsx"
    unit_book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(str(unit_file["content_b64"]))))
    assert unit_book.sheetnames == ["公路事业发展中心", "投诉台账汇总", "事项明细"]
    assert await DutyRun.filter(kind="digest", period="2026Q4").count() == 1

    tasks = await ReportTask.all().order_by("unit_id")
    assert [(t.unit_id, t.quarter) for t in tasks] == [(org.bureau.id, "2026Q4"), (org.centre.id, "2026Q4")]
    # The 5th working day of 2027Q1 is Friday 8 January; due at the end of office hours.
    assert all(t.due_at == at(2027, 1, 8, 17, 30) and t.confirmed_at is None for t in tasks)

    await run_at(resources, clock, at(2027, 1, 4, 9, 30))
    await run_at(resources, clock, at(2027, 1, 5, 9, 30))
    assert len(await rows("digest:")) == 3
    assert await ReportTask.all().count() == 2


async def test_missed_digest_is_caught_up_within_the_report_window_only(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    # Down on the first working day: the next run (Wednesday) posts it.
    await run_at(resources, clock, at(2027, 1, 6, 14, 0))
    assert len(await rows("digest:2026Q4")) == 3
    # A deployment starting mid-quarter (2026-11-30, 2026Q3's report long due) posts nothing.
    assert await rows("digest:2026Q3") == []


async def test_report_reminders_on_days_four_and_five_to_unconfirmed_units(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    await run_at(resources, clock, at(2027, 1, 4, 9, 0))
    clock.set(at(2027, 1, 5, 10, 0))
    message = await confirm_report(resources, org.people["juzhang"], None)
    assert "局机关" in message and "2026年第4季度" in message

    await run_at(resources, clock, at(2027, 1, 6, 16, 0))  # day 3
    await run_at(resources, clock, at(2027, 1, 7, 8, 29))  # day 4, before office hours
    assert await rows("reminder:report") == []
    await run_at(resources, clock, at(2027, 1, 7, 8, 30))
    day4 = await rows("reminder:report_day4")
    assert {r.dedupe_key for r in day4} == {
        f"reminder:report_day4:2026Q4:unit:{org.centre.id}:group:{org.centre_group.id}",
        f"reminder:report_day4:2026Q4:unit:{org.centre.id}:principal",
    }
    principal_row = next(r for r in day4 if r.person is not None)
    assert handle(principal_row) == "zhuren"
    assert "2027-01-08 17:30" in str(principal_row.payload["text"]) and "报送 2026Q4" in str(
        principal_row.payload["text"]
    )
    await run_at(resources, clock, at(2027, 1, 7, 15, 0))
    assert len(await rows("reminder:report_day4")) == 2

    await run_at(resources, clock, at(2027, 1, 8, 9, 0))
    day5 = await rows("reminder:report_day5")
    assert len(day5) == 2 and all(f"unit:{org.centre.id}" in r.dedupe_key for r in day5)
    assert "今天是本季度第5个工作日" in str(day5[0].payload["markdown"]) and "今天截止" in str(
        day5[0].payload["markdown"]
    )
    assert "今天截止" not in str(day4[0].payload["markdown"])
    await run_at(resources, clock, at(2027, 1, 8, 11, 0))
    await run_at(resources, clock, at(2027, 1, 11, 9, 0))  # after the deadline: nothing more
    assert len(await rows("reminder:report")) == 4


async def test_confirm_report_permissions(resources: Resources, clock: SimClock, org: Org) -> None:
    with pytest.raises(ValueError, match="没有汇总表报送任务"):
        await confirm_report(resources, org.people["juzhang"], None)
    await run_at(resources, clock, at(2027, 1, 4, 9, 0))
    clock.set(at(2027, 1, 5, 10, 0))

    for handle in ("s1", "gu1", "fuju1"):
        with pytest.raises(ValueError, match="只有局机关主要领导或活动办公室人员"):
            await confirm_report(resources, org.people[handle], "2026Q4")
    with pytest.raises(ValueError, match="没有 2026年第3季度"):
        await confirm_report(resources, org.people["zhuren"], "2026Q3")
    with pytest.raises(ValueError, match="2026Q3 这样"):
        await confirm_report(resources, org.people["zhuren"], "去年")

    # An office member of the bureau confirms the bureau's task; the principal then cannot again.
    message = await confirm_report(resources, org.people["office"], "2026q4")
    assert "郑干事" in message
    task = await ReportTask.get(unit=org.bureau, quarter="2026Q4")
    assert task.confirmed_by_id == org.people["office"].id and task.confirmed_at is not None
    assert abs(task.confirmed_at - at(2027, 1, 5, 10, 0)) < dt.timedelta(seconds=5)
    with pytest.raises(ValueError, match="已由 郑干事 于 2027-01-05 10:00 确认报送"):
        await confirm_report(resources, org.people["juzhang"], None)
    [notice] = await rows(f"report_confirmed:{task.id}")
    assert group_of(notice).kind == "office" and "局机关" in str(notice.payload["markdown"])

    # The centre's principal confirms the centre's task, late.
    clock.set(at(2027, 1, 11, 9, 0))
    late = await confirm_report(resources, org.people["zhuren"], "2026Q4")
    assert "公路事业发展中心" in late and "已逾期" in late
    assert await ReportTask.filter(confirmed_at=None).count() == 0


async def test_no_organisation_no_work(resources: Resources) -> None:
    assert await run_due_work(resources) == dict.fromkeys(PASSES, 0)
    assert await OutboxMessage.all().count() == 0


async def test_a_failing_pass_does_not_hold_back_the_others(
    resources: Resources, clock: SimClock, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(duty: object) -> None:
        raise RuntimeError("boom")

    schedule = tuple(Pass(p.name, broken) if p.run is remind_owed_replies else p for p in passes.SCHEDULE)
    monkeypatch.setattr(passes, "SCHEDULE", schedule)
    await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    with pytest.raises(RuntimeError, match="tb:broken"):
        await run_at(resources, clock, at(2027, 1, 4, 9, 0))
    assert len(await rows("digest:2026Q4")) == 3  # the digest after the broken pass still ran
