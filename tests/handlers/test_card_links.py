"""Cards link to the phone pages on every platform: a decision card's “详情 / 填写意见” (WeCom: the
card's ``card_action`` and a url button; DingTalk: an ``openLink`` button into the desktop side
panel; the simulator: a link opened as the conversation's person), and a card with only a link
(the morning card) as WeCom's ``text_notice``. Shown as the fakes received them, which check the
platforms' documented limits."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from bot.cards import Card, CardField
from bot.clock import SimClock
from bot.matters.cards import DECISION_CARD
from bot.matters.links import matter_links, todo_links
from bot.matters.workflow import LEVEL_ACTIONS, Level
from bot.outbox.batch import OutboxBatch
from bot.settings import Settings
from models.cards import CardInstance
from models.enums import CardKind, Platform
from models.org import Person
from tests.handlers.test_card_kinds import platform_side, queue
from tests.support.card_platforms import DingTalkSide, SimulatorSide, WeComSide

pytestmark = pytest.mark.timeout(120)

PUBLIC = "https://tiji.example.gov.cn"
NUMBER = "TJ-2026-0001"
PAGE = f"{PUBLIC}/m/signin?next=/m/matters/{NUMBER}"


def decision(ref: str, settings: Settings) -> Card:
    return Card(
        ref=ref, source="说“不”事项提级", title=f"{NUMBER} 说“不”事项审批",
        fields=(CardField("matter", "事项", "道路运输经营许可"),),
        buttons=DECISION_CARD.controls(LEVEL_ACTIONS[Level.PRINCIPAL]),
        links=matter_links(settings, NUMBER),
    )  # fmt: skip


def morning(ref: str, settings: Settings) -> Card:
    return Card(ref=ref, source="说“不”事项提级", title="今日待审批 1 件",
                fields=(CardField("step", "剩3.5时", f"{NUMBER} 道路运输经营许可"),),
                status="12月01日", links=todo_links(settings))  # fmt: skip


async def send(stack: object, handle: str, kind: CardKind, build: object, settings: Settings) -> CardInstance:
    async def write(batch: OutboxBatch, to: Person) -> CardInstance:
        instance = await batch.new_card(kind, 1, to)
        await batch.card(instance, build(instance.ref, settings), dedupe_key=f"card:{instance.ref}")  # type: ignore[operator]
        return instance

    return await queue(stack, handle, write)  # type: ignore[arg-type]


@pytest.mark.parametrize("platform", ["simulator", "wecom", "dingtalk-stream"])
async def test_cards_link_to_the_pages_on_every_platform(
    platform: str, settings: Settings, clock: SimClock, db: None
) -> None:
    if platform != "simulator":
        settings = settings.model_copy(update={"public_url": PUBLIC, "simulator": False})
    async with platform_side(platform, settings, clock) as (stack, side):
        await stack.import_org()
        if platform != "simulator":
            target = Platform.WECOM if platform == "wecom" else Platform.DINGTALK
            await Person.filter(handle="zhangwei").update(platform=target)
        person = await Person.get(handle="zhangwei")
        side.register(person)
        used = stack.resources.settings
        await send(stack, "zhangwei", CardKind.DECISION, decision, used)
        if isinstance(side, WeComSide):
            card = side.fake.cards_to(str(person.wecom_userid))[-1].card
            assert card["card_type"] == "button_interaction"
            assert card["card_action"] == {"type": 1, "url": PAGE}
            assert {"type": 1, "text": "详情 / 填写意见", "style": 2, "url": PAGE} in card["button_list"]
            assert len(card["button_list"]) <= 6
        elif isinstance(side, DingTalkSide):
            shown = side._card(person).view()
            link = shown.button("详情 / 填写意见")
            target_url = urlsplit(link.url)
            assert (target_url.scheme, target_url.netloc, target_url.path) == (
                "dingtalk",
                "dingtalkclient",
                "/page/link",
            )
            assert parse_qs(target_url.query) == {"url": [PAGE], "pc_slide": ["true"]}
            assert [b.text for b in shown.buttons if not b.url][:2] == ["能办", "确认不能办·法律政策"]
        else:
            assert isinstance(side, SimulatorSide)
            shown_card = await side._card(person)
            # No public URL in the simulator: the link is relative (the page opens it as the person).
            assert shown_card["links"] == [
                {"label": "详情 / 填写意见", "url": f"/m/signin?next=/m/matters/{NUMBER}"}
            ]

        await send(stack, "zhangwei", CardKind.MORNING, morning, used)
        if isinstance(side, WeComSide):
            card = side.fake.cards_to(str(person.wecom_userid))[-1].card
            todo = f"{PUBLIC}/m/signin?next=/m/todo"
            assert card["card_type"] == "text_notice"
            assert card["card_action"] == {"type": 1, "url": todo}
            assert card["jump_list"] == [{"type": 1, "title": "打开我的待办", "url": todo}]
        elif isinstance(side, DingTalkSide):
            fake_card = side._card(person)
            assert fake_card.data["status"] == "open"
            assert [b.text for b in fake_card.view().buttons] == ["打开我的待办"]
        else:
            assert (await side._card(person))["links"][0]["url"] == "/m/signin?next=/m/todo"


async def test_no_link_without_a_public_url_outside_the_simulator(settings: Settings) -> None:
    bare = settings.model_copy(update={"public_url": None, "simulator": False})
    assert matter_links(bare, NUMBER) == () and todo_links(bare) == ()
    card = decision("tjX", bare)
    assert Card.from_dict(card.as_dict()) == card
    with_link = decision("tjX", settings.model_copy(update={"public_url": PUBLIC + "/"}))
    assert with_link.links[0].url == PAGE
    assert Card.from_dict(with_link.as_dict()) == with_link
