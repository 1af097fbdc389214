"""The weekly 预警 card: to each leader with red or yellow items in their charge, once per week
from 09:00 of the week's first working day, none to a leader with nothing to warn of; its one link
opens the console's list of exactly those items."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.calendar.workdays import load_calendar
from bot.cards import Card
from bot.jobs.duty import Duty
from bot.jobs.passes import PASSES
from bot.jobs.weekly_warnings import send_weekly_warnings
from bot.runtime.resources import Resources
from models.cards import CardInstance
from models.enums import CardKind, StepStatus
from models.matter import DecisionStep
from models.messaging import OutboxMessage
from models.reports import DutyRun
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter


@pytest.fixture
async def org(resources: Resources) -> Org:
    o = await build_org()
    # Red: due Thu 3 Dec, still at the section head. Yellow: a reply owed by Mon 7 Dec 17:30.
    red = await make_matter(o, o.transport, "s1", at(2026, 11, 30, 9, 0))
    await DecisionStep.create(
        organisation_id=o.org.id, matter=red, level=2, approver=o.people["gu1"],
        status=StepStatus.PENDING, opened_at=red.submitted_at,
    )  # fmt: skip
    await make_matter(
        o, o.transport, "s1", at(2026, 12, 2, 9, 0), state="resolved", outcome="can_do", level=2,
        decided_at=at(2026, 12, 2, 10, 0),
    )  # fmt: skip
    return o


async def weekly_pass(resources: Resources, org: Org, now: dt.datetime) -> dict[str, Card]:
    calendar = await load_calendar(resources.settings, org.org.id)
    await send_weekly_warnings(Duty(resources, org.org, calendar, now))
    rows = (
        await OutboxMessage.filter(dedupe_key__startswith="weekly:").select_related("person").order_by("id")
    )
    return {row.person.name: Card.from_dict(row.payload["card"]) for row in rows}


async def test_each_leader_in_charge_gets_one_card_with_red_and_yellow(
    resources: Resources, org: Org
) -> None:
    resources.settings.public_url = "https://tiji.example.cn"
    sent = await weekly_pass(resources, org, at(2026, 12, 7, 9, 0))
    # 运输股's deputy and the bureau's principal; nobody of 法规股 or the centre.
    assert sorted(sent) == ["张局长", "王副局长"]
    card = sent["王副局长"]
    assert card.title == "本周预警：红色 1 项、黄色 1 项" and card.status == "2026年第50周"
    red, yellow = card.fields
    assert red.label == "红色预警" and red.value.startswith("TJ-2026-0001 ")
    assert "待股室负责人 李股长 审批" in red.value and "期限12月03日17:30" in red.value
    assert yellow.label == "黄色预警" and yellow.value.startswith("TJ-2026-0002 ")
    assert "回复申请人" in yellow.value
    [link] = card.links
    assert link.label == "打开预警清单"
    assert link.url == "https://tiji.example.cn/m/signin?next=/admin/matters%3Fmine%3D1%26warn%3D1"
    instance = await CardInstance.get(ref=card.ref)
    assert instance.kind is CardKind.WEEKLY_WARNING and instance.subject_id == org.people["fuju1"].id


async def test_a_long_list_shows_five_and_counts_the_rest(resources: Resources, org: Org) -> None:
    for hour in range(6):
        late = await make_matter(org, org.transport, "s1", at(2026, 11, 23, 9 + hour, 0))
        await DecisionStep.create(
            organisation_id=org.org.id, matter=late, level=2, approver=org.people["gu1"],
            status=StepStatus.PENDING, opened_at=late.submitted_at,
        )  # fmt: skip
    card = (await weekly_pass(resources, org, at(2026, 12, 7, 9, 0)))["王副局长"]
    assert card.title == "本周预警：红色 7 项、黄色 1 项"
    assert [f.label for f in card.fields] == ["红色预警"] * 5 + ["还有"]
    assert card.fields[-1].value.startswith("3 项（红色 2、黄色 1）")


async def test_once_per_person_per_week(resources: Resources, org: Org) -> None:
    assert await weekly_pass(resources, org, at(2026, 12, 7, 8, 59)) == {}  # before 09:00
    await weekly_pass(resources, org, at(2026, 12, 7, 9, 0))
    await weekly_pass(resources, org, at(2026, 12, 9, 15, 0))
    assert await OutboxMessage.filter(dedupe_key__startswith="weekly:").count() == 2
    await weekly_pass(resources, org, at(2026, 12, 14, 9, 0))  # the next week
    assert await OutboxMessage.filter(dedupe_key__startswith="weekly:").count() == 4
    periods = set(await DutyRun.filter(kind="weekly_warnings").values_list("period", flat=True))
    assert periods == {"2026-W50", "2026-W51"}


async def test_a_holiday_monday_moves_it_to_the_first_working_day(resources: Resources, org: Org) -> None:
    late = await make_matter(org, org.legal, "s2", at(2026, 9, 25, 9, 0), due_at=at(2026, 9, 30, 17, 30))
    await DecisionStep.create(
        organisation_id=org.org.id, matter=late, level=2, approver=org.people["gu2"],
        status=StepStatus.PENDING, opened_at=late.submitted_at,
    )  # fmt: skip
    assert await weekly_pass(resources, org, at(2026, 10, 5, 9, 0)) == {}  # National Day
    sent = await weekly_pass(resources, org, at(2026, 10, 8, 9, 0))
    assert sorted(sent) == ["张局长", "赵副局长"]  # 法规股's deputy and the principal


def test_the_worker_runs_the_pass() -> None:
    assert "weekly_warnings" in PASSES
