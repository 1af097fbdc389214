"""The reminder passes read only what is due, never send a rung twice, and leave every open step and
owed reply with a next reminder."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

import pytest

from bot.clock import SimClock
from bot.jobs import step_reminders
from bot.jobs.duty import Duty, Work
from bot.jobs.passes import run_due_work
from bot.jobs.recipients import Directory
from bot.jobs.step_chunk import StepChunk
from bot.matters.holders import step_holder
from bot.matters.workflow import OPEN_STEP_STATUSES
from bot.runtime.resources import Resources
from models.enums import MatterState
from models.matter import DecisionStep, Matter
from models.messaging import OutboxMessage
from models.org import StandIn
from models.reports import DutyRun
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter, make_step
from tests.handlers.test_commands import FORM, World, make_world

CN = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await build_org()


async def test_a_pass_reads_only_the_due_steps_in_chunks(
    resources: Resources, clock: SimClock, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    matter = await make_matter(org, org.transport, "s1", at(2026, 11, 30, 9, 0))
    now = at(2026, 11, 30, 10, 0)
    later, earlier = now + dt.timedelta(days=1), now - dt.timedelta(minutes=1)
    await DecisionStep.bulk_create(
        [
            DecisionStep(
                organisation_id=org.org.id, matter_id=matter.id, level=2, approver_id=org.people["gu1"].id,
                status="pending", opened_at=at(2026, 11, 30, 9, 0), next_reminder_at=earlier if i % 2 else later,
            )
            for i in range(1300)
        ]
    )  # fmt: skip
    climbed: list[int] = []
    climb_step = step_reminders._climb_step

    async def counting(duty: Duty, directory: Directory, loaded: StepChunk, step: DecisionStep) -> list[Work]:
        climbed.append(step.id)
        return await climb_step(duty, directory, loaded, step)

    monkeypatch.setattr(step_reminders, "_climb_step", counting)
    monkeypatch.setattr(step_reminders, "CHUNK", 200)
    clock.set(now)
    await run_due_work(resources)
    assert len(climbed) == len(set(climbed)) == 650  # the due half, over four chunks, each once
    # Each due step now waits for its 4-hour rung; the others were not touched.
    looks = Counter(await DecisionStep.all().values_list("next_reminder_at", flat=True))
    assert looks == {at(2026, 11, 30, 13, 0): 650, later: 650}
    climbed.clear()
    await run_due_work(resources)
    assert climbed == []


async def test_two_workers_running_the_same_pass_send_each_rung_once(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    for dept, submitter, head in ((org.transport, "s1", "gu1"), (org.legal, "s2", "gu2")):
        late = await make_matter(org, dept, submitter, at(2026, 11, 30, 9, 0))
        await make_step(late, org.people[head], at(2026, 11, 30, 9, 0))
    replied = await make_matter(
        org, org.upkeep, "s3", at(2026, 11, 30, 9, 0), state="resolved", outcome="can_do",
        decided_at=at(2026, 11, 30, 10, 0),
    )  # fmt: skip
    clock.set(at(2026, 12, 4, 9, 30))
    await asyncio.gather(run_due_work(resources), run_due_work(resources), run_due_work(resources))
    keys = Counter(await OutboxMessage.all().values_list("dedupe_key", flat=True))
    assert keys and set(keys.values()) == {1}
    runs = Counter(await DutyRun.all().values_list("kind", "subject", "period"))
    assert set(runs.values()) == {1}
    # First pass since the deadline: the deadline rung goes, not also the day's (same words twice).
    assert ("reply_deadline", f"matter:{replied.id}", "") in runs


async def assert_every_open_step_and_owed_reply_has_a_next_reminder(after: dt.datetime | None = None) -> None:
    open_steps = await DecisionStep.filter(status__in=list(OPEN_STEP_STATUSES), matter__state="pending")
    owed = await Matter.filter(state__in=[MatterState.RESOLVED, MatterState.REFUSED], replied_at=None)
    for row in [*open_steps, *owed]:
        assert row.next_reminder_at is not None, row
        if after is not None:
            assert row.next_reminder_at > after, row


async def test_every_open_step_and_owed_reply_has_a_next_reminder(resources: Resources) -> None:
    world: World = await make_world(resources)
    world.clock.set(dt.datetime(2026, 12, 1, 9, 0, tzinfo=CN))
    steps = [
        ("zhangwei", FORM, ()),
        ("zhangwei", FORM + "\n协办股室：工程建设股", (("chenguoqing", "escalate"),)),
        ("zhangwei", FORM, (("chenguoqing", "can_do"),)),
        ("chenguoqing", FORM, (("liminghua", "escalate"), ("wangjianguo", "confirm_no"))),
        ("wangfang", FORM, (("chenguoqing", "escalate"), ("liminghua", "can_do"))),
    ]
    for submitter, form, clicks in steps:
        await world.submit(submitter, form)
        await assert_every_open_step_and_owed_reply_has_a_next_reminder()
        for handle, action in clicks:
            card = await world.open_card(handle)
            selected = {"refusal_category": "law"} if action == "confirm_no" else None
            assert (await world.click(handle, card["ref"], action, selected)).ok
            await assert_every_open_step_and_owed_reply_has_a_next_reminder()
    assert (await world.say("wangjianguo", "理由：不符合规定\n建议：补齐材料后再申请")).ok
    await assert_every_open_step_and_owed_reply_has_a_next_reminder()
    for day, hour in ((1, 13), (3, 9), (4, 8), (4, 18), (7, 9), (8, 9), (9, 9)):
        now = world.clock.set(dt.datetime(2026, 12, day, hour, 1, tzinfo=CN))
        await run_due_work(resources)
        await assert_every_open_step_and_owed_reply_has_a_next_reminder(after=now)
    assert await DutyRun.filter(kind="consultation_lapsed").count() == 1


async def test_a_chunk_resolves_each_holder_as_step_holder_does(
    resources: Resources, clock: SimClock, org: Org
) -> None:
    day = dt.date(2026, 12, 2)
    people = org.people
    for leader, stand_in in (("gu1", "gu2"), ("fuju1", "fuju2"), ("gu3", "s3")):
        await StandIn.create(
            organisation=org.org,
            person=people[leader],
            stand_in=people[stand_in],
            start_date=day,
            end_date=day,
        )
    away = await make_matter(org, org.transport, "s1", at(2026, 12, 1, 9, 0))
    steps = [await make_step(away, people["gu1"], at(2026, 12, 1, 9, 0))]  # 周股长 stands in today
    ended = await make_matter(org, org.legal, "s2", at(2026, 11, 30, 9, 0), level=3)
    kept = await make_step(ended, people["fuju2"], at(2026, 11, 30, 9, 0), level=3)
    kept.on_behalf_of_id = people["fuju1"].id  # opened to the stand-in, who stands in today too
    await kept.save()
    own = await make_matter(org, org.upkeep, "s3", at(2026, 12, 1, 9, 0))
    steps += [kept, await make_step(own, people["gu3"], at(2026, 12, 1, 9, 0))]  # the stand-in submitted
    for step in steps:
        await step.fetch_related("matter")
    loaded = await StepChunk.load(steps, day)
    moment = dt.datetime(2026, 12, 2, 10, 0, tzinfo=CN)
    expected = {s.id: (await step_holder(s, moment, tz=resources.settings.tz)).id for s in steps}
    assert loaded.holders == expected
    assert [people[h].id for h in ("gu2", "fuju2", "gu3")] == [expected[s.id] for s in steps]
