"""``bot.inbound``: stored once, applied in each sender's order, retried, failed loudly, swept."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.clock import SimClock
from bot.events import CardAction, Event, Reply, Sender, TextMessage
from bot.inbound.accept import accept
from bot.inbound.applier import Applier
from bot.inbound.apply import BUSY, InboundApply, apply_pending
from bot.inbound.claim import Claimed
from bot.jobs.worker import sweep_inbound
from bot.runtime.resources import Resources
from models.enums import Platform
from models.inbound import InboundEvent, InboundState
from models.messaging import OutboxMessage
from models.org import Organisation


class Recorder:
    """A sink that records what it applied; it can fail its first ``fail_times`` events."""

    def __init__(self, delay: float = 0.0) -> None:
        self.applied: list[str] = []
        self.fail_times = 0
        self.delay = delay

    async def handle(self, event: Event) -> Reply:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("database went away")
        await asyncio.sleep(self.delay)
        self.applied.append(event.dedupe_key)
        return Reply(True, "好")


def text(user: str, key: str) -> TextMessage:
    return TextMessage(Sender(Platform.WECOM, user), "待办", key)


async def test_accepting_the_same_event_twice_stores_it_once(resources: Resources) -> None:
    assert await accept(resources.clock, text("u1", "wecom:msg:1")) is True
    assert await accept(resources.clock, text("u1", "wecom:msg:1")) is False
    [row] = await InboundEvent.all()
    assert (row.key, row.state, row.attempts, row.sender) == (
        "wecom:msg:1",
        InboundState.PENDING,
        0,
        "wecom:u1",
    )


async def test_a_stored_card_click_is_applied_as_the_same_event(resources: Resources) -> None:
    click = CardAction(Sender(Platform.WECOM, "u1"), "tjREF", "confirm_no", "wecom:card:1", {"c": "law"})
    await accept(resources.clock, click, {"task_id": "tjREF@1", "response_code": "RC"})
    seen: list[Event] = []

    class Keep(Recorder):
        async def handle(self, event: Event) -> Reply:
            seen.append(event)
            return Reply(True, "")

    assert await apply_pending(resources, InboundApply(Keep())) == 1
    assert seen == [click]


async def test_one_senders_events_apply_in_the_order_received(resources: Resources) -> None:
    for n in range(5):
        await accept(resources.clock, text("u1", f"wecom:msg:a{n}"))
        await accept(resources.clock, text("u2", f"wecom:msg:b{n}"))
    sink = Recorder(delay=0.001)
    assert await apply_pending(resources, InboundApply(sink)) == 10
    assert [k for k in sink.applied if ":a" in k] == [f"wecom:msg:a{n}" for n in range(5)]
    assert [k for k in sink.applied if ":b" in k] == [f"wecom:msg:b{n}" for n in range(5)]
    assert await InboundEvent.filter(state=InboundState.APPLIED).count() == 10


async def test_a_senders_later_event_waits_while_the_first_is_retried(
    resources: Resources, clock: SimClock
) -> None:
    await accept(resources.clock, text("u1", "wecom:msg:first"))
    await accept(resources.clock, text("u1", "wecom:msg:second"))
    sink = Recorder()
    sink.fail_times = 1
    assert await apply_pending(resources, InboundApply(sink)) == 0
    assert sink.applied == []  # the second did not overtake the first in its back-off
    clock.advance(dt.timedelta(seconds=5))
    assert await apply_pending(resources, InboundApply(sink)) == 2
    assert sink.applied == ["wecom:msg:first", "wecom:msg:second"]


async def test_a_failing_apply_is_retried_then_marked_failed_and_the_sender_told(
    resources: Resources, clock: SimClock
) -> None:
    await Organisation.create(code="tc", name="桐城市交通运输局")
    await accept(resources.clock, text("u1", "wecom:msg:9"))
    sink = Recorder()
    sink.fail_times = 100
    for _ in range(resources.settings.inbound_max_attempts):
        await apply_pending(resources, InboundApply(sink))
        clock.advance(dt.timedelta(minutes=2))
    [row] = await InboundEvent.all()
    assert (row.state, row.attempts) == (InboundState.FAILED, resources.settings.inbound_max_attempts)
    assert "database went away" in row.last_error
    [busy] = await OutboxMessage.all()
    assert busy.payload["text"] == BUSY and busy.payload["user_id"] == "u1"
    assert await apply_pending(resources, InboundApply(sink)) == 0  # failed for good: not retried


async def test_an_event_whose_wake_up_was_lost_is_applied_by_the_sweep(resources: Resources) -> None:
    await accept(resources.clock, text("u1", "wecom:msg:lost"))  # no wake-up sent
    sink = Recorder()
    assert await sweep_inbound({"resources": resources, "inbound": InboundApply(sink)}) == 1
    assert sink.applied == ["wecom:msg:lost"]


async def test_an_event_claimed_by_a_dead_worker_is_applied_after_its_lease(
    resources: Resources, clock: SimClock
) -> None:
    await accept(resources.clock, text("u1", "wecom:msg:k"))
    lease = dt.timedelta(seconds=resources.settings.inbound_lease_seconds)
    await InboundEvent.all().update(claimed_until=clock.now() + lease, attempts=1)  # claimed, then killed
    sink = Recorder()
    assert await apply_pending(resources, InboundApply(sink)) == 0
    clock.advance(lease + dt.timedelta(seconds=1))
    assert await apply_pending(resources, InboundApply(sink)) == 1
    assert sink.applied == ["wecom:msg:k"]


async def test_the_applier_takes_a_woken_event_at_once(resources: Resources) -> None:
    from bot.inbound.accept import wake

    sink = Recorder()
    stop = asyncio.Event()
    slow_sweep = resources.settings.model_copy(update={"inbound_sweep_seconds": 30})
    own = Resources(settings=slow_sweep, clock=resources.clock, redis=resources.redis, http=resources.http)
    running = asyncio.create_task(Applier(own, InboundApply(sink)).run(stop))
    try:
        await asyncio.sleep(0.3)  # subscribed
        await accept(own.clock, text("u1", "wecom:msg:w"))
        await wake(own.redis)
        for _ in range(100):
            if sink.applied:
                break
            await asyncio.sleep(0.02)
        assert sink.applied == ["wecom:msg:w"]  # well before the 30-second sweep
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)


async def test_beside_a_running_applier_the_sweep_only_wakes_it(resources: Resources) -> None:
    """One applying loop per worker: the cron sweep beside a live Applier claims nothing itself
    (two loops doubled the applies in flight and starved the pool), the Applier applies at once."""
    sink = Recorder()
    stop = asyncio.Event()
    slow_sweep = resources.settings.model_copy(update={"inbound_sweep_seconds": 30})
    own = Resources(settings=slow_sweep, clock=resources.clock, redis=resources.redis, http=resources.http)
    applier = Applier(own, InboundApply(sink))
    running = asyncio.create_task(applier.run(stop))
    try:
        await asyncio.sleep(0.3)  # running, its first claim found nothing
        await accept(own.clock, text("u1", "wecom:msg:nudged"))  # no wake-up sent
        ctx = {"resources": own, "inbound": InboundApply(sink), "applier": applier}
        assert await sweep_inbound(ctx) == 0  # the sweep applied nothing itself
        for _ in range(100):
            if sink.applied:
                break
            await asyncio.sleep(0.02)
        assert sink.applied == ["wecom:msg:nudged"]  # the woken Applier did, long before its 30 s
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    assert not applier.alive
    await accept(own.clock, text("u2", "wecom:msg:after"))
    assert await sweep_inbound(ctx) == 1  # with the loop stopped, the sweep is the net again


async def test_the_backlog_figures_count_pending_and_failed_and_the_oldest_wait(
    resources: Resources, clock: SimClock
) -> None:
    from bot.inbound.figures import inbound_figures

    received = clock.now()
    await accept(resources.clock, text("u1", "wecom:msg:f1"))
    await accept(resources.clock, text("u2", "wecom:msg:f2"))
    await InboundEvent.filter(key="wecom:msg:f2").update(state=InboundState.FAILED)
    figures = await inbound_figures()
    assert (figures.pending, figures.failed) == (1, 1)
    assert figures.oldest_pending is not None and abs((figures.oldest_pending - received).total_seconds()) < 1


async def test_applied_events_are_deleted_after_two_days_and_open_ones_never(
    resources: Resources, clock: SimClock
) -> None:
    from bot.inbound.prune import prune_applied

    for key in ("wecom:msg:old", "wecom:msg:failed", "wecom:msg:waiting"):
        await accept(resources.clock, text(key, key))
    await InboundEvent.filter(key="wecom:msg:old").update(state=InboundState.APPLIED, applied_at=clock.now())
    await InboundEvent.filter(key="wecom:msg:failed").update(state=InboundState.FAILED)
    clock.advance(dt.timedelta(days=1))
    assert await prune_applied(clock.now()) == 0
    clock.advance(dt.timedelta(days=1, minutes=1))
    assert await prune_applied(clock.now()) == 1
    assert sorted(await InboundEvent.all().values_list("key", flat=True)) == [
        "wecom:msg:failed",
        "wecom:msg:waiting",
    ]


async def test_a_claim_says_which_senders_have_more_waiting(resources: Resources) -> None:
    from bot.inbound.claim import claim

    await accept(resources.clock, text("u1", "wecom:msg:one-a"))
    await accept(resources.clock, text("u1", "wecom:msg:one-b"))
    await accept(resources.clock, text("u2", "wecom:msg:two"))
    rows = await claim(resources.clock.now(), 30, 10)
    assert [r.key for r in rows] == ["wecom:msg:one-a", "wecom:msg:two"]  # each sender's oldest
    assert [r.has_next for r in rows] == [True, False]


class _Running:
    """An Applier running on ``resources`` with a 30-second sweep (so the sweep cannot be what
    applies an event in these tests), stopped on the way out."""

    def __init__(self, resources: Resources, sink: Recorder) -> None:
        slow_sweep = resources.settings.model_copy(update={"inbound_sweep_seconds": 30})
        own = Resources(
            settings=slow_sweep, clock=resources.clock, redis=resources.redis, http=resources.http
        )
        self.applier = Applier(own, InboundApply(sink))
        self.stop = asyncio.Event()
        self.sink = sink

    async def __aenter__(self) -> Applier:
        self.task = asyncio.create_task(self.applier.run(self.stop))
        await asyncio.sleep(0.3)  # subscribed, its first claim found nothing
        return self.applier

    async def __aexit__(self, *exc: object) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)

    async def applied(self, n: int) -> list[str]:
        for _ in range(250):
            if len(self.sink.applied) >= n:
                break
            await asyncio.sleep(0.02)
        return self.sink.applied


async def test_a_senders_next_event_stored_during_its_apply_follows_without_the_sweep(
    resources: Resources,
) -> None:
    from bot.inbound.accept import wake

    running = _Running(resources, Recorder(delay=0.3))
    async with running:
        await accept(resources.clock, text("u1", "wecom:msg:during-1"))
        await wake(resources.redis)
        await asyncio.sleep(0.1)  # the first is being applied
        await accept(resources.clock, text("u1", "wecom:msg:during-2"))
        await wake(resources.redis)  # its claim finds the sender busy
        assert await running.applied(2) == ["wecom:msg:during-1", "wecom:msg:during-2"]


async def test_a_senders_queued_events_follow_each_other_without_the_sweep(resources: Resources) -> None:
    from bot.inbound.accept import wake

    running = _Running(resources, Recorder())
    async with running:
        for n in range(3):
            await accept(resources.clock, text("u1", f"wecom:msg:queued-{n}"))
        await wake(resources.redis)  # one wake-up for all three
        assert await running.applied(3) == [f"wecom:msg:queued-{n}" for n in range(3)]


async def test_a_burst_is_claimed_in_batches_not_once_per_event(
    resources: Resources, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.inbound import applier as applier_module
    from bot.inbound.accept import wake

    claims: list[int] = []
    real_claim = applier_module.claim

    async def counted(now: dt.datetime, lease: float, limit: int) -> list[Claimed]:
        rows = await real_claim(now, lease, limit)
        claims.append(len(rows))
        return rows

    class Staggered(Recorder):
        """Applies that end one at a time (each takes its own while), as real ones do."""

        async def handle(self, event: Event) -> Reply:
            await asyncio.sleep(0.003 * (int(event.dedupe_key.rsplit("-", 1)[1]) % 17))
            return await super().handle(event)

    monkeypatch.setattr(applier_module, "claim", counted)
    running = _Running(resources, Staggered())
    async with running as applier:
        burst = 100
        for n in range(burst):
            await accept(resources.clock, text(f"u{n}", f"wecom:msg:burst-{n}"))
        claims.clear()
        await wake(resources.redis)
        assert len(await running.applied(burst)) == burst
        concurrency = applier.resources.settings.inbound_concurrency
    assert sum(claims) == burst
    # the first fills every slot, then a batch each time a quarter of them is free (and the last,
    # empty one); one claim per apply would be 100
    assert len(claims) <= 2 + (burst - concurrency) // applier.refill
