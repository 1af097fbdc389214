"""A hypothesis state machine over the real router, matter service and database (and the real arq
worker for delivery): random submissions, right and wrong clicks, duplicate deliveries, stale
clicks, withdrawals, refusal texts and replies. After every step: one terminal transition per
matter, one notice/card per matter, recipient and kind, cards showing their step's state, the audit
chain verifies, versions never go back.

Hypothesis has no async rules: the test owns one event loop and runs each rule to completion on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from tortoise import Tortoise
from tortoise.backends.base.executor import EXECUTOR_CACHE

from bot.audit import GENESIS, entry_hash, verify_chain
from bot.clock import SimClock
from bot.events import CardAction, Event, Reply, Sender, TextMessage
from bot.matters.chain import stand_ins_on
from bot.matters.holders import open_step_holders
from bot.matters.workflow import OPEN_STEP_STATUSES
from bot.runtime.db import tortoise_config
from bot.settings import Settings
from handlers.dispatch import DUPLICATE
from handlers.router import Router
from models.audit import AuditEntry
from models.cards import CardInstance
from models.enums import CardKind
from models.matter import DecisionStep, Matter, ReplyRecord, TextPrompt
from models.messaging import OutboxMessage
from models.org import Organisation, Person, StandIn
from tests.support.stack import Stack, running_stack

CHINA = dt.timezone(dt.timedelta(hours=8))
SUBMITTERS = ("zhangwei", "wangfang", "chenguoqing", "liqiang")
CO_DEPARTMENTS = ("", "工程建设股", "行政审批股")  # gck: another deputy (会商); xzsp: the same deputy
PEOPLE = ("zhangwei", "wangfang", "chenguoqing", "liudesheng", "liminghua", "zhaozhiqiang", "wangjianguo")
MACHINE = "state machine"
LEADERS = ("chenguoqing", "liudesheng", "liminghua", "zhaozhiqiang", "wangjianguo")
OPEN = {s.value for s in OPEN_STEP_STATUSES}
DECIDING = {"can_do", "confirm_no"}


@dataclass
class Harness:
    """The stack the machine drives: one event loop, one database, one org, one worker."""

    loop: asyncio.AbstractEventLoop
    context: contextvars.Context  # tortoise keeps its connections in a context variable
    stack: Stack
    router: Router
    clock: SimClock
    organisation_id: int
    handles: dict[int, str]
    ids: dict[str, int]
    exit: contextlib.AsyncExitStack = field(default_factory=contextlib.AsyncExitStack)
    audit_seq: int = 0  # the audit chain checked so far
    audit_hash: str = GENESIS

    def run(self, coro: Any) -> Any:
        return run_in(self.loop, self.context, coro)


def run_in(loop: asyncio.AbstractEventLoop, context: contextvars.Context, awaitable: Any) -> Any:
    """Run ``awaitable`` to completion as a task in ``context`` (so tortoise's context survives)."""

    async def wait() -> Any:
        return await awaitable

    return loop.run_until_complete(loop.create_task(wait(), context=context))


async def start_harness(
    loop: asyncio.AbstractEventLoop, context: contextvars.Context, settings: Settings
) -> Harness:
    url = settings.effective_database_url
    EXECUTOR_CACHE.clear()
    if url.startswith(("postgres", "asyncpg")):
        await Tortoise.init(config=tortoise_config(url))
        await Tortoise.get_connection("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(url))
    await Tortoise.generate_schemas()
    clock = SimClock()
    clock.set(dt.datetime(2026, 11, 30, 9, 0, tzinfo=CHINA))
    exit_stack = contextlib.AsyncExitStack()
    stack = await exit_stack.enter_async_context(running_stack(settings, clock))
    await stack.import_org()
    organisation = await Organisation.get(code="tongbai-jt")
    people = await Person.filter(organisation_id=organisation.id)
    return Harness(
        loop, context, stack, Router(stack.resources), clock, organisation.id,
        {p.id: p.handle for p in people}, {p.handle: p.id for p in people}, exit_stack,
    )  # fmt: skip


async def stop_harness(harness: Harness) -> None:
    await harness.exit.aclose()
    await Tortoise.close_connections()


async def db_state(matter_ids: list[int]) -> tuple[object, ...]:
    """What a refused, stale or duplicate event must leave exactly as it was (earlier examples'
    matters are not touched by this one's events: only counts cover them)."""
    return (
        [(m.id, m.state, m.level, m.version, m.decision_text, m.way_forward)
         for m in await Matter.filter(id__in=matter_ids).order_by("id")],
        [(s.id, s.status, s.decision, s.decided_by_id, s.comment)
         for s in await DecisionStep.filter(matter_id__in=matter_ids).order_by("id")],
        [(p.id, p.answered_at) for p in await TextPrompt.filter(step__matter_id__in=matter_ids).order_by("id")],
        await Matter.all().count(),
        await DecisionStep.all().count(),
        await TextPrompt.all().count(),
        await ReplyRecord.all().count(),
        await AuditEntry.all().count(),
        await CardInstance.all().count(),
    )  # fmt: skip


class MatterMachine(RuleBasedStateMachine):
    harness: Harness  # set by the test before the machine runs

    def __init__(self) -> None:
        super().__init__()
        self.matters: list[int] = []
        self.versions: dict[int, int] = {}
        self.delivered: list[Event] = []
        self.stand_ins = 0
        # Each example starts without the stand-ins an earlier one made (replays must agree).
        self.harness.run(StandIn.filter(reason=MACHINE).delete())

    # --- plumbing ---------------------------------------------------------------------------------

    def deliver(self, event: Event) -> Reply:
        reply: Reply = self.harness.run(self.harness.router.handle(event))
        self.delivered.append(event)
        return reply

    def say(self, handle: str, text: str) -> Reply:
        return self.deliver(TextMessage(Sender("simulator", handle), text, f"m:msg:{uuid.uuid4().hex}"))

    def click(self, handle: str, ref: str, key: str, selected: dict[str, str] | None = None) -> Reply:
        event = CardAction(
            Sender("simulator", handle), ref, key, f"m:card:{uuid.uuid4().hex}", selected or {}
        )
        return self.deliver(event)

    def unchanged(self, action: Any, *, refused: bool = True) -> Reply:
        """Run ``action``; the database must look exactly as before (and the reply say no)."""
        before = self.harness.run(db_state(self.matters))
        reply: Reply = action()
        assert not refused or reply.ok is False or reply.message == DUPLICATE, reply
        assert self.harness.run(db_state(self.matters)) == before, reply
        return reply

    def cards(self, open_steps: bool) -> list[tuple[CardInstance, DecisionStep]]:
        async def load() -> list[tuple[CardInstance, DecisionStep]]:
            steps = {s.id: s for s in await DecisionStep.filter(matter_id__in=self.matters)}
            rows = await CardInstance.filter(kind=CardKind.DECISION, subject_id__in=list(steps)).order_by(
                "id"
            )
            return [
                (c, steps[c.subject_id]) for c in rows if (steps[c.subject_id].status in OPEN) == open_steps
            ]

        result: list[tuple[CardInstance, DecisionStep]] = self.harness.run(load())
        return result

    def matter(self, pick: int) -> Matter:
        result: Matter = self.harness.run(Matter.get(id=self.matters[pick % len(self.matters)]))
        return result

    # --- rules ------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.matters) < 3)
    @rule(submitter=st.sampled_from(SUBMITTERS), co=st.sampled_from(CO_DEPARTMENTS))
    def submit(self, submitter: str, co: str) -> None:
        form = "说不\n服务对象：张三\n联系电话：13800000000\n事项：道路运输经营许可\n拟说不理由：材料不全"
        if co:
            form += f"\n协办股室：{co}"
        reply = self.say(submitter, form)
        assert reply.ok, reply
        matter: Matter = self.harness.run(Matter.all().order_by("-id").first())
        assert matter.number in reply.message and matter.submitter_id == self.harness.ids[submitter]
        assert (matter.state, matter.version) == ("pending", 1)
        if not self.stand_ins:  # with stand-ins, a level whose head's stand-in submitted is skipped too
            assert matter.level == (3 if submitter == "chenguoqing" else 2)
        self.matters.append(matter.id)
        self.versions[matter.id] = matter.version

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), key=st.sampled_from(["can_do", "escalate", "confirm_no"]),
          category=st.sampled_from(["law", "conditions", "other"]))  # fmt: skip
    def click_by_the_right_person(self, pick: int, key: str, category: str) -> None:
        cards = self.cards(open_steps=True)
        if cards:
            self._click_right(*cards[pick % len(cards)], key, category)

    def _click_right(self, card: CardInstance, step: DecisionStep, key: str, category: str) -> None:
        matter_before: Matter = self.harness.run(Matter.get(id=step.matter_id))
        held: dict[int, int] = self.harness.run(
            open_step_holders(matter_before, self.harness.clock.now(), tz=CHINA)
        )
        handle = self.harness.handles[held[step.id]]
        selected = {"refusal_category": category} if key == "confirm_no" else {}
        if (key == "escalate" and step.level == 4) or (key == "confirm_no" and step.level < 4):
            reply = self.unchanged(lambda: self.click(handle, card.ref, key, selected))
            assert "最后一级" in reply.message or "只有主要领导" in reply.message
            return
        if key == "confirm_no" and step.status == "awaiting_text":
            reply = self.unchanged(lambda: self.click(handle, card.ref, key, selected), refused=False)
            assert reply.ok and "理由" in reply.message  # asked again, nothing new
            return
        reply = self.click(handle, card.ref, key, selected)
        assert reply.ok, reply
        matter: Matter = self.harness.run(Matter.get(id=step.matter_id))
        assert matter.version > matter_before.version
        siblings_open: int = self.harness.run(
            DecisionStep.filter(matter_id=matter.id, level=step.level, status__in=list(OPEN)).count()
        )
        if key == "confirm_no":
            assert (matter.state, matter.level) == ("pending", 4) and "理由" in reply.message
        elif siblings_open:
            assert matter.state == "pending" and "会商" in reply.message
        elif key == "can_do" and matter.state == "resolved":
            assert matter.outcome == "can_do" and matter.decided_level == step.level
        else:
            # The level is decided: escalated (by this click or an earlier consulted deputy), past
            # any level whose leaders' stand-in is the submitter.
            assert matter.state == "pending" and matter.level > step.level, (key, matter.state)
            if not self.stand_ins:
                assert matter.level == step.level + 1

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), category=st.sampled_from(["law", "conditions", "other"]))
    def climb(self, pick: int, category: str) -> None:
        """The path to a refusal, more often than random keys would take it: 提级, then 确认不能办."""
        cards = [(c, s) for c, s in self.cards(open_steps=True) if s.status == "pending"]
        if cards:
            card, step = cards[pick % len(cards)]
            self._click_right(card, step, "confirm_no" if step.level == 4 else "escalate", category)

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), who=st.sampled_from(PEOPLE), key=st.sampled_from(["can_do", "escalate"]))
    def click_by_a_wrong_person(self, pick: int, who: str, key: str) -> None:
        cards = self.cards(open_steps=True) + self.cards(open_steps=False)
        if not cards:
            return
        card, step = cards[pick % len(cards)]
        if self.harness.ids[who] in self.harness.run(self._may_touch(step)):
            return
        reply = self.unchanged(lambda: self.click(who, card.ref, key))
        assert "您无权处理" in reply.message

    @precondition(lambda self: self.delivered)
    @rule(pick=st.integers(0, 200))
    def duplicate_delivery(self, pick: int) -> None:
        event = self.delivered[pick % len(self.delivered)]
        reply = self.unchanged(lambda: self.deliver(event))
        assert reply.message == DUPLICATE

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), key=st.sampled_from(["can_do", "escalate", "confirm_no"]))
    def stale_click(self, pick: int, key: str) -> None:
        cards = self.cards(open_steps=False)
        if not cards:
            return
        card, step = cards[pick % len(cards)]
        reply = self.unchanged(lambda: self.click(self.harness.handles[step.approver_id], card.ref, key))
        assert "已由" in reply.message and ("处理" in reply.message or "撤回" in reply.message)

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), by_submitter=st.booleans())
    def withdraw(self, pick: int, by_submitter: bool) -> None:
        matter = self.matter(pick)
        handle = self.harness.handles[matter.submitter_id]
        if not by_submitter:
            handle = "zhangwei" if handle == "wangfang" else "wangfang"
        if not by_submitter or matter.state != "pending":
            self.unchanged(lambda: self.say(handle, f"撤回 {matter.number} 误报"))
            return
        assert self.say(handle, f"撤回 {matter.number}").ok is False  # a withdrawal needs its reason
        assert self.say(handle, f"撤回 {matter.number} 误报").ok
        after: Matter = self.harness.run(Matter.get(id=matter.id))
        assert after.state == "withdrawn" and after.version > matter.version

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), complete=st.booleans(), by_command=st.booleans())
    def give_refusal_text(self, pick: int, complete: bool, by_command: bool) -> None:
        waiting: list[DecisionStep] = self.harness.run(
            DecisionStep.filter(matter_id__in=self.matters, status="awaiting_text").order_by("id")
        )
        if not waiting:
            return
        step = waiting[pick % len(waiting)]
        assert step.decided_by_id is not None
        handle = self.harness.handles[step.decided_by_id]
        matter: Matter = self.harness.run(Matter.get(id=step.matter_id))
        words = "理由：用地未批复" + (" 建议：批复后优先办理" if complete else "")
        prompt: TextPrompt | None = self.harness.run(
            TextPrompt.filter(person_id=step.decided_by_id, answered_at__isnull=True).order_by("-id").first()
        )
        if not by_command and (prompt is None or prompt.step_id != step.id):
            by_command = True  # the next free text would be taken for another matter's prompt
        text = f"意见 {matter.number} {words}" if by_command else words
        if not complete and step.comment:  # the reason was given already: nothing new
            reply = self.unchanged(lambda: self.say(handle, text))
            assert "请再告诉我说“行”建议" in reply.message
            return
        if not complete:  # the reason is kept and the 说“行”建议 alone is asked for
            reply = self.say(handle, text)
            assert reply.ok and reply.message.endswith("请再告诉我说“行”建议：怎样才能办成？"), reply
            kept: DecisionStep = self.harness.run(DecisionStep.get(id=step.id))
            assert (kept.status, kept.comment) == ("awaiting_text", "用地未批复")
            return
        assert self.say(handle, text).ok
        after: Matter = self.harness.run(Matter.get(id=matter.id))
        assert (after.state, after.outcome, after.way_forward) == ("refused", "confirm_no", "批复后优先办理")

    @precondition(lambda self: self.matters)
    @rule(pick=st.integers(0, 50), by_submitter=st.booleans())
    def record_reply(self, pick: int, by_submitter: bool) -> None:
        matter = self.matter(pick)
        handle = self.harness.handles[matter.submitter_id] if by_submitter else "liminghua"
        text = f"回复 {matter.number} 电话 已告知申请人"
        if not by_submitter or matter.state not in ("resolved", "refused"):
            self.unchanged(lambda: self.say(handle, text))
            return
        assert self.say(handle, text).ok
        after: Matter = self.harness.run(Matter.get(id=matter.id))
        assert after.state == "closed" and after.closed_at is not None

    @rule(leader=st.sampled_from(LEADERS), acting=st.sampled_from(PEOPLE), days=st.integers(0, 2))
    def stand_in(self, leader: str, acting: str, days: int) -> None:
        """代理 from today for a few days: the submitter, another consulted deputy or anyone."""
        if leader == acting:
            return
        today = self.harness.clock.now().astimezone(CHINA).date()
        self.harness.run(self._make_stand_in(leader, acting, today, today + dt.timedelta(days=days)))
        self.stand_ins += 1

    async def _make_stand_in(self, leader: str, acting: str, start: dt.date, end: dt.date) -> None:
        ids, organisation_id = self.harness.ids, self.harness.organisation_id
        await StandIn.filter(
            organisation_id=organisation_id, person_id=ids[leader], start_date=start
        ).delete()
        await StandIn.create(
            organisation_id=organisation_id, person_id=ids[leader], stand_in_id=ids[acting],
            start_date=start, end_date=end, reason=MACHINE,
        )  # fmt: skip

    async def _may_touch(self, step: DecisionStep) -> set[int]:
        """Who a tap on ``step``'s card is not refused as 您无权处理 for: its holder now, its leader,
        whom it was sent to and the leader's stand-in today (never the submitter)."""
        matter = await Matter.get(id=step.matter_id)
        now = self.harness.clock.now()
        leader = step.on_behalf_of_id or step.approver_id
        acting = (await stand_ins_on([leader], now.astimezone(CHINA).date())).get(leader)
        held = (await open_step_holders(matter, now, tz=CHINA)).get(step.id)
        people = {leader, step.approver_id, held}
        if step.status not in OPEN:
            people.add(acting)
        return {p for p in people if p is not None} - {matter.submitter_id}

    @rule(minutes=st.integers(1, 600))
    def time_passes(self, minutes: int) -> None:
        self.harness.clock.advance(dt.timedelta(minutes=minutes))

    @precondition(lambda self: self.matters)
    @rule()
    def worker_drain(self) -> None:
        self.harness.run(self.harness.stack.drain())
        pending: int = self.harness.run(OutboxMessage.filter(status__in=["pending", "failed"]).count())
        assert pending == 0

    # --- invariants -------------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        self.harness.run(self._check())

    async def _check(self) -> None:
        await self._check_new_audit_rows()
        for matter_id in self.matters:
            matter = await Matter.get(id=matter_id)
            assert matter.version >= self.versions[matter_id], "version went back"
            self.versions[matter_id] = matter.version
            await self._check_matter(matter)

    async def _check_new_audit_rows(self) -> None:
        """The chain grows by well-linked rows (what verify_chain checks, without re-reading it all)."""
        harness = self.harness
        rows = await AuditEntry.filter(
            organisation_id=harness.organisation_id, seq__gt=harness.audit_seq
        ).order_by("seq")
        for row in rows:
            assert row.seq == harness.audit_seq + 1 and row.prev_hash == harness.audit_hash, row.seq
            assert row.hash == entry_hash(
                row.prev_hash, row.seq, row.at, row.actor, row.action, row.subject, row.data
            )
            harness.audit_seq, harness.audit_hash = row.seq, row.hash

    async def _check_matter(self, matter: Matter) -> None:
        audit = await AuditEntry.filter(subject=matter.number).order_by("seq")
        kinds = Counter(a.action for a in audit)
        decisions = [
            a for a in audit if a.action in DECIDING and a.data.get("state") in ("resolved", "refused")
        ]
        # One terminal transition per matter: decided at most once, withdrawn or decided, replied once.
        assert len(decisions) <= 1 and kinds["withdraw"] <= 1 and kinds["record_reply"] <= 1, kinds
        assert not (decisions and kinds["withdraw"])
        decided = matter.state in ("resolved", "refused", "closed")
        assert bool(decisions) == decided and (matter.outcome is not None) == decided
        assert (kinds["withdraw"] == 1) == (matter.state == "withdrawn")
        assert (kinds["record_reply"] == 1) == (matter.state == "closed")
        assert kinds["submit"] == 1

        steps = await DecisionStep.filter(matter_id=matter.id).order_by("id")
        open_steps = [s for s in steps if s.status in OPEN]
        if matter.state == "pending":
            assert open_steps and {s.level for s in open_steps} == {matter.level}
        else:
            assert not open_steps
        # Nobody decides a step of a matter they submitted, directly or as a stand-in.
        assert all(s.decided_by_id != matter.submitter_id for s in steps), "the submitter decided"
        assert all(s.approver_id != matter.submitter_id for s in steps), "a step went to its submitter"
        # Every open step has a holder now: someone other than the submitter, and nobody holds two,
        # nor a step of a level where they answered another (会商).
        held = await open_step_holders(matter, self.harness.clock.now(), tz=CHINA)
        assert set(held) == {s.id for s in open_steps}
        assert matter.submitter_id not in held.values() and len(set(held.values())) == len(held), held
        answered = {s.decided_by_id for s in steps if s.level == matter.level and s.status == "decided"}
        assert not answered.intersection(held.values()), (answered, held)
        # A refusal always carries the category its button named.
        assert (matter.outcome == "confirm_no") == (
            matter.refusal_category is not None
        ) or matter.outcome is None

        # Messages: one card per step to its approver; one notice per matter, recipient and kind.
        cards = await CardInstance.filter(kind=CardKind.DECISION, subject_id__in=[s.id for s in steps])
        rows = await OutboxMessage.filter(card_id__in=[c.id for c in cards]).order_by("id")
        step_of = {c.id: c.subject_id for c in cards}
        by_step = Counter(step_of[r.card_id] for r in rows if r.kind == "card" and r.card_id is not None)
        assert by_step == Counter({s.id: 1 for s in steps}), by_step
        approver = {s.id: s.approver_id for s in steps}
        assert all(r.person_id == approver[step_of[r.card_id]] for r in rows if r.card_id is not None)
        # Each card shows its step's state: closed exactly when the step is no longer open.
        status = {s.id: s.status for s in steps}
        last: dict[int, dict[str, Any]] = {}
        for r in rows:
            assert r.card_id is not None
            last[r.card_id] = r.payload["card"]  # type: ignore[assignment]
        for card_id, payload in last.items():
            assert payload["closed"] == (status[step_of[card_id]] not in OPEN), (payload["status"], status)

        notices = await OutboxMessage.filter(dedupe_key__startswith="notice:", person_id=matter.submitter_id)
        decided_notices = [n for n in notices if n.dedupe_key in (f"notice:resolved:{matter.id}",
                                                                  f"notice:refused:{matter.id}")]  # fmt: skip
        assert len(decided_notices) == (1 if decided else 0), decided_notices
        escalations = [n for n in notices if n.dedupe_key.startswith(f"notice:escalated:{matter.id}:")]
        assert len(escalations) == len({s.level for s in steps}) - 1, escalations


@pytest.mark.timeout(150)
def test_matter_state_machine(settings: Settings) -> None:
    loop = asyncio.new_event_loop()
    context = contextvars.Context()
    harness = run_in(loop, context, start_harness(loop, context, settings))
    # The rules also build querysets outside a task: expose tortoise's context here, and put the
    # previous values back afterwards so later tests start clean.
    tokens = [(var, var.set(value)) for var, value in context.items()]
    try:
        MatterMachine.harness = harness
        run_state_machine_as_test(
            MatterMachine,
            settings=hsettings(
                max_examples=20,
                stateful_step_count=40,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None,
                # No shrinking: each replay is a database session, and the failing run's steps
                # (at most 40) are printed as they are.
                phases=[Phase.explicit, Phase.generate],
            ),
        )
        check = harness.run(verify_chain(harness.organisation_id))
        assert check.ok and check.rows == harness.audit_seq, check
    finally:
        harness.run(stop_harness(harness))
        for var, token in reversed(tokens):
            var.reset(token)
        loop.close()
