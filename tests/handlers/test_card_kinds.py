"""A second kind of card, declared only here (签收 / 退回 on a document), goes through the whole
product on every platform with no messenger code of its own: sent and updated through the outbox
and the real arq worker to the simulator, the fake WeCom and the fake DingTalk, and tapped as each
platform sends a tap (the simulator's API, WeCom's encrypted ``template_card_event``, DingTalk's
card callback over Stream and over HTTP) into this kind's handler, with its typed action."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from bot.cards import ButtonStyle, Card, CardField, CardKindSpec
from bot.clock import SimClock
from bot.messengers.dingtalk.stream import run_stream
from bot.outbox.batch import OutboxBatch
from bot.runtime.resources import ROUTER, Resources
from bot.settings import Settings
from handlers.cards import CardRouter, CardTap
from handlers.context import HandlerContext
from models.cards import CardInstance
from models.enums import Platform
from models.org import Organisation, Person
from tests.bot.messengers.dingtalk.conftest import dingtalk_settings
from tests.bot.messengers.wecom.conftest import AES_KEY, AGENT_ID, CORP_ID, TOKEN, wecom_fields
from tests.fakes.dingtalk_openapi import running_fake_dingtalk
from tests.fakes.wecom_api import FakeWeCom
from tests.fakes.wecom_callback import WeComSigner
from tests.handlers.test_commands import World, make_world
from tests.support.card_platforms import DingTalkSide, Seen, SimulatorSide, WeComSide
from tests.support.stack import Stack, running_stack

pytestmark = pytest.mark.timeout(120)


class Kinds(StrEnum):
    """``CardKind`` with this test's kind added (what declaring a new kind in models/enums.py does)."""

    DECISION = "decision"
    ACKNOWLEDGE = "acknowledge"


class Ack(StrEnum):
    SIGN = "sign"
    RETURN = "return"


ACK_CARD: CardKindSpec[Ack] = CardKindSpec(
    kind=Kinds.ACKNOWLEDGE,
    actions=Ack,
    titles={Ack.SIGN: "签收", Ack.RETURN: "退回"},
    styles={Ack.SIGN: ButtonStyle.PRIMARY, Ack.RETURN: ButtonStyle.DANGER},
)
DOCUMENT_ID = 7


def ack_card(ref: str, *, deadline: str, status: str = "待签收", closed: bool = False) -> Card:
    buttons = ACK_CARD.controls(() if closed else (Ack.SIGN, Ack.RETURN))
    return Card(
        ref=ref,
        source="文件签收",
        title="关于开展路政巡查的通知",
        fields=(
            CardField("document", "文件", "交通运输局〔2026〕12号"),
            CardField("deadline", "签收期限", deadline),
        ),
        buttons=buttons,
        status=status,
        closed=closed,
    )


@dataclass
class AckDesk:
    """The test kind's handler: records each tap (typed) and closes the card."""

    taps: list[tuple[Ack, str, int, str]] = field(default_factory=list)

    def router(self) -> CardRouter:
        router = CardRouter()

        @router.kind(ACK_CARD)
        async def handle_ack(ctx: HandlerContext, tap: CardTap[Ack]) -> str:
            assert isinstance(tap.action, Ack)
            self.taps.append((tap.action, ctx.person.handle, tap.card.subject_id, ctx.event_key))
            verb = ACK_CARD.title(tap.action)
            done = ack_card(tap.card.ref, deadline="—", status=f"已{verb}（{ctx.person.name}）", closed=True)
            await ctx.batch.card_update(tap.card, done, dedupe_key=f"ack:{tap.card.ref}:done")
            return f"已{verb}。"

        return router


@pytest.fixture
def ack_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Widen the stored kinds to ``Kinds`` (the column is a CharEnumField of the production enum)."""
    monkeypatch.setattr(CardInstance._meta.fields_map["kind"], "enum_type", Kinds)


async def queue(stack: Stack, handle: str, write: Any) -> Any:
    """Run ``write(batch)`` in one transaction as a service would, then deliver what it queued."""
    person = await Person.get(handle=handle)
    organisation = await Organisation.get(id=person.organisation_id)
    batch = OutboxBatch(stack.resources.settings, organisation, stack.resources.clock.now())
    async with in_transaction():
        result = await write(batch, person)
    await batch.nudge(stack.resources)
    await stack.drain()
    return result


@contextlib.asynccontextmanager
async def platform_side(
    name: str, settings: Settings, clock: SimClock
) -> AsyncIterator[tuple[Stack, SimulatorSide | WeComSide | DingTalkSide]]:
    """The running product with one platform configured, and that platform's side of the chat."""
    if name == "simulator":
        async with running_stack(settings, clock) as stack:
            yield stack, SimulatorSide(stack)
        return
    if name == "wecom":
        wecom = FakeWeCom(corp_id=CORP_ID, agent_id=AGENT_ID, now=lambda: clock.now().timestamp())
        await wecom.start()
        try:
            signer = WeComSigner(token=TOKEN, aes_key=AES_KEY, receive_id=CORP_ID)
            async with running_stack(settings.model_copy(update=wecom_fields(wecom)), clock) as stack:
                yield stack, WeComSide(stack, wecom, signer, clock)
        finally:
            await wecom.close()
        return
    mode = name.removeprefix("dingtalk-")
    extra: dict[str, object] = {"dingtalk_mode": mode, "public_url": "https://tiji.example.gov.cn"}
    async with (
        running_fake_dingtalk() as fake,
        running_stack(dingtalk_settings(settings, fake, **extra), clock) as stack,
    ):
        stop = asyncio.Event()
        stream = asyncio.create_task(run_stream(stack.resources, stack.app[ROUTER], stop))
        try:
            if mode == "stream":
                assert fake.gateway is not None
                await fake.gateway.wait_connected()
            yield stack, DingTalkSide(stack, fake, mode)
        finally:
            stop.set()
            await asyncio.wait_for(stream, 10)


@pytest.mark.parametrize("platform", ["simulator", "wecom", "dingtalk-stream", "dingtalk-http"])
async def test_a_second_card_kind_is_sent_updated_and_tapped_on_every_platform(
    platform: str, settings: Settings, clock: SimClock, db: None, ack_kind: None
) -> None:
    desk = AckDesk()
    async with platform_side(platform, settings, clock) as (stack, side):
        await stack.import_org()
        stack.app[ROUTER].cards.include(desk.router())  # the composition root registers the kind
        if platform != "simulator":
            target = Platform.WECOM if platform == "wecom" else Platform.DINGTALK
            await Person.filter(handle="zhangwei").update(platform=target)
        person = await Person.get(handle="zhangwei")
        side.register(person)

        async def send(batch: OutboxBatch, to: Person) -> CardInstance:
            instance = await batch.new_card(Kinds.ACKNOWLEDGE, DOCUMENT_ID, to)  # type: ignore[arg-type]
            await batch.card(
                instance, ack_card(instance.ref, deadline="12月3日 17:30"), dedupe_key=f"card:{instance.ref}"
            )
            return instance

        instance: CardInstance = await queue(stack, "zhangwei", send)
        assert (instance.kind, instance.subject_id, instance.platform) == (
            Kinds.ACKNOWLEDGE,
            DOCUMENT_ID,
            side.platform,
        )
        assert await side.seen(person) == Seen(
            {"文件": "交通运输局〔2026〕12号", "签收期限": "12月3日 17:30"},
            ["签收", "退回"],
            "待签收",
            closed=False,
        )

        async def extend(batch: OutboxBatch, to: Person) -> None:
            card = ack_card(instance.ref, deadline="12月4日 17:30", status="签收期限已延长")
            await batch.card_update(instance, card, dedupe_key=f"ack:{instance.ref}:extended")

        await queue(stack, "zhangwei", extend)
        updated = await side.seen(person)
        assert (updated.fields["签收期限"], updated.buttons, updated.status) == (
            "12月4日 17:30",
            ["签收", "退回"],
            "签收期限已延长",
        )

        await side.tap(person, instance.ref, "签收")
        assert desk.taps == [(Ack.SIGN, "zhangwei", DOCUMENT_ID, desk.taps[0][3])]
        assert desk.taps[0][3].startswith(side.event_prefix)
        done = await side.seen(person)
        assert (done.status, done.closed) == ("已签收（张伟）", True)
        assert (await side.texts(person))[-1] == "已签收。"


# -- routing by kind (the router alone, no platform) ----------------------------------------------


async def ack_card_for(world: World, handle: str) -> CardInstance:
    person = await Person.get(handle=handle)
    organisation = await Organisation.get(id=person.organisation_id)
    batch = OutboxBatch(world.resources.settings, organisation, world.clock.now())
    async with in_transaction():
        instance: CardInstance = await batch.new_card(Kinds.ACKNOWLEDGE, DOCUMENT_ID, person)  # type: ignore[arg-type]
        await batch.card(
            instance, ack_card(instance.ref, deadline="12月3日"), dedupe_key=f"card:{instance.ref}"
        )
    return instance


async def test_a_tap_is_parsed_by_its_cards_kind_only(resources: Resources, ack_kind: None) -> None:
    world = await make_world(resources)
    desk = AckDesk()
    world.router.cards.include(desk.router())
    ack = await ack_card_for(world, "zhangwei")
    await world.submit()
    decision = await world.open_card("chenguoqing")
    # A decision's key on the acknowledge card, and an acknowledge key on a decision card: refused.
    for handle, ref, key in (("zhangwei", ack.ref, "can_do"), ("chenguoqing", decision["ref"], "sign")):
        reply = await world.click(handle, ref, key)
        assert reply.ok is False and "无法识别的按钮" in reply.message
    assert desk.taps == []
    reply = await world.click("zhangwei", ack.ref, "return")
    assert reply.ok and reply.message == "已退回。"
    assert [(action, handle) for action, handle, _, _ in desk.taps] == [(Ack.RETURN, "zhangwei")]


async def test_a_card_is_found_only_in_the_tappers_organisation(resources: Resources, ack_kind: None) -> None:
    world = await make_world(resources)
    desk = AckDesk()
    world.router.cards.include(desk.router())
    ack = await ack_card_for(world, "zhangwei")
    other = await Organisation.create(code="other", name="另一个局")
    await Person.create(organisation=other, handle="outsider", name="外人")
    reply = await world.click("outsider", ack.ref, "sign")
    assert reply.ok is False and "找不到这张审批卡" in reply.message
    assert desk.taps == []


async def test_a_card_of_a_kind_nobody_handles_is_refused_in_chinese(
    resources: Resources, ack_kind: None
) -> None:
    world = await make_world(resources)  # the product's routes only: no handler for the test's kind
    ack = await ack_card_for(world, "zhangwei")
    reply = await world.click("zhangwei", ack.ref, "sign")
    assert reply.ok is False and "暂时无法处理" in reply.message


def test_a_kind_has_one_handler() -> None:
    router = AckDesk().router()
    with pytest.raises(ValueError, match="acknowledge"):
        CardRouter(router, AckDesk().router())
    assert router.kinds() == {"acknowledge"}
