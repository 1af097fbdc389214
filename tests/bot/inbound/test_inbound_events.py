"""``bot.inbound``: stored once, applied in each sender's order, retried, failed loudly, swept."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.clock import SimClock
from bot.events import CardAction, Event, Reply, Sender, TextMessage
from bot.inbound.accept import accept
from bot.inbound.applier import Applier
from bot.inbound.apply import BUSY, InboundApply, apply_pending
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
