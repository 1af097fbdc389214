"""The working hours of a decision are stored when it is made, and the quarter's average is theirs."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from bot.calendar.workdays import load_calendar
from bot.clock import SimClock
from bot.reports import hours as fill
from bot.reports.digest import digest_markdown
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.calendar import HolidayOverride
from models.enums import StepStatus
from models.matter import DecisionStep, Matter
from models.org import Organisation
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter
from tests.handlers.test_flow_sim import FORM, click, open_card, say
from tests.support.stack import Stack, running_stack


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


def hours(value: Decimal | None) -> float:
    assert value is not None, "no working hours stored"
    return float(value)


async def test_each_decision_stores_its_working_hours_and_the_digest_averages_them(
    stack: Stack, clock: SimClock
) -> None:
    clock.set(at(2026, 11, 2, 9, 0))  # Monday
    await say(stack, "zhangwei", FORM)
    clock.set(at(2026, 11, 2, 11, 0))
    assert (await click(stack, "chenguoqing", (await open_card(stack, "chenguoqing"))["ref"], "escalate"))[
        "ok"
    ]
    clock.set(at(2026, 11, 3, 9, 0))  # the deputy decides the next morning
    assert (await click(stack, "liminghua", (await open_card(stack, "liminghua"))["ref"], "can_do"))["ok"]

    matter = await Matter.get(number="TJ-2026-0001")
    head, deputy = await DecisionStep.filter(matter_id=matter.id).order_by("level")
    assert head.status is StepStatus.DECIDED and deputy.status is StepStatus.DECIDED
    # The clock runs on between the steps above, by well under a minute.
    assert hours(head.working_hours) == pytest.approx(2.0, abs=0.01)  # 09:00 → 11:00
    assert hours(deputy.working_hours) == pytest.approx(7.0, abs=0.01)  # 11:00 → 17:30, 08:30 → 09:00
    assert hours(matter.decided_hours) == pytest.approx(9.0, abs=0.01)  # submission to decision

    organisation = await Organisation.get(id=matter.organisation_id)
    text = await digest_markdown(stack.resources, organisation, "2026Q4")
    assert "能办：**1** 件（股室负责人 0、分管领导 1、主要领导 0）" in text
    assert "平均决定用时：9小时0分" in text


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await build_org()


async def test_a_decision_from_before_stored_hours_gets_them_once(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    clock.set(at(2027, 1, 4, 10, 0))
    # Decided before the working hours were stored with the decision: Mon 09:00 → Tue 09:00 is 9 h.
    old = await make_matter(
        org, org.transport, "s1", at(2026, 11, 2, 9, 0), state="resolved", outcome="can_do", level=2,
        decided_at=at(2026, 11, 3, 9, 0),
    )  # fmt: skip
    step = await DecisionStep.create(
        organisation=org.org, matter=old, level=2, approver=org.people["gu1"], status=StepStatus.DECIDED,
        decision="can_do", decided_by=org.people["gu1"], decided_at=at(2026, 11, 3, 9, 0),
        opened_at=at(2026, 11, 2, 17, 0),
    )  # fmt: skip
    assert old.decided_hours is None and step.working_hours is None

    first = await digest_markdown(resources, org.org, "2026Q4")
    assert "平均决定用时：9小时0分" in first
    await old.refresh_from_db()
    await step.refresh_from_db()
    assert old.decided_hours == Decimal("9.0000") and step.working_hours == Decimal("1.0000")

    # Declaring Monday a day off later does not rewrite what was decided under the old calendar.
    await HolidayOverride.create(organisation=org.org, date=dt.date(2026, 11, 2), is_workday=False)
    assert "平均决定用时：9小时0分" in await digest_markdown(resources, org.org, "2026Q4")


async def test_missing_hours_are_all_filled_over_several_chunks_even_when_decided_at_the_same_moment(
    resources: Resources, clock: SimClock, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read a chunk at a time in decision order (the partial index of 0022): rows decided at the
    # same moment straddle the chunks, and none may be skipped or read twice.
    monkeypatch.setattr(fill, "CHUNK", 2)
    clock.set(at(2027, 1, 4, 10, 0))
    decided = [at(2026, 11, 3, 9, 0)] * 3 + [at(2026, 11, 4, 9, 0)] * 2
    for decided_at in decided:
        await make_matter(
            org, org.transport, "s1", at(2026, 11, 2, 9, 0), state="resolved",
            outcome="can_do", level=2, decided_at=decided_at,
        )  # fmt: skip
    calendar = await load_calendar(resources.settings, org.org.id)

    filled = await fill.fill_missing_hours(org.org.id, calendar, at(2026, 10, 1, 0, 0), at(2027, 1, 1, 0, 0))

    assert filled == 5
    stored = await Matter.filter(organisation=org.org).order_by("id").values_list("decided_hours", flat=True)
    assert stored == [Decimal("9.0000")] * 3 + [Decimal("18.0000")] * 2
    assert (
        await fill.fill_missing_hours(org.org.id, calendar, at(2026, 10, 1, 0, 0), at(2027, 1, 1, 0, 0)) == 0
    )
