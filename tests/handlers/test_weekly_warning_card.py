"""The weekly 预警 card as each platform shows it: the leader's red items as fields and one link to
the console's 预警 list (WeCom: a ``text_notice`` whose card and jump link open it; DingTalk: the
template's link button; the simulator: a relative link opened as the person), once per week however
often the passes run. Shown as the fakes received them, which check the platforms' limits."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.enums import Platform, StepStatus
from models.matter import DecisionStep, Matter
from models.messaging import OutboxMessage
from models.org import Department, Person
from tests.handlers.test_card_kinds import platform_side
from tests.support.card_platforms import DingTalkSide, SimulatorSide, WeComSide

pytestmark = pytest.mark.timeout(120)

PUBLIC = "https://tiji.example.gov.cn"
LIST = "/m/signin?next=/admin/matters%3Fmine%3D1%26warn%3D1"
UTC = dt.UTC


async def late_matter() -> Matter:
    """A matter of 运输管理股 still at its section head, three working days past its deadline."""
    ysk = await Department.get(code="ysk")
    head = await Person.get(id=ysk.head_id)
    submitted = dt.datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    matter = await Matter.create(
        organisation_id=ysk.organisation_id, number="TJ-2026-0001", year=2026, seq=1, unit_id=ysk.unit_id,
        department=ysk, submitter=await Person.get(handle="zhangwei"), applicant="通达物流公司",
        applicant_phone="13800000000", subject="道路运输经营许可", reason="材料不全", state="pending",
        level=2, submitted_at=submitted, due_at=dt.datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    await DecisionStep.create(
        organisation_id=ysk.organisation_id, matter=matter, level=2, approver=head,
        status=StepStatus.PENDING, opened_at=submitted,
    )  # fmt: skip
    return matter


@pytest.mark.parametrize("platform", ["simulator", "wecom", "dingtalk-stream"])
async def test_the_leader_gets_one_weekly_card_with_the_red_item_and_the_list_link(
    platform: str, settings: Settings, clock: SimClock, db: None
) -> None:
    if platform != "simulator":
        settings = settings.model_copy(update={"public_url": PUBLIC, "simulator": False})
    async with platform_side(platform, settings, clock) as (stack, side):
        await stack.import_org()
        if platform != "simulator":
            target = Platform.WECOM if platform == "wecom" else Platform.DINGTALK
            await Person.filter(handle="liminghua").update(platform=target)
        leader = await Person.get(handle="liminghua")  # 运输管理股's 分管领导
        side.register(leader)
        await late_matter()

        await stack.tick()  # Monday 30 Nov 09:00: the week's first working day
        clock.advance(dt.timedelta(hours=5))
        await stack.tick()  # later that day: nothing again this week
        assert await OutboxMessage.filter(dedupe_key=f"weekly:2026-W49:person:{leader.id}").count() == 1

        title = "本周预警：红色 1 项、黄色 0 项"
        if isinstance(side, WeComSide):
            [card] = [c.card for c in side.fake.cards_to(str(leader.wecom_userid)) if "预警" in str(c.card)]
            assert card["card_type"] == "text_notice" and card["main_title"]["title"] == title
            [item] = card["horizontal_content_list"]
            assert item["keyname"] == "红色预警" and item["value"].startswith("TJ-2026-0001 通达物流公司")
            assert card["card_action"] == {"type": 1, "url": PUBLIC + LIST}
            assert card["jump_list"] == [{"type": 1, "title": "打开预警清单", "url": PUBLIC + LIST}]
        elif isinstance(side, DingTalkSide):
            [shown] = [c for c in side.fake.cards_to(str(leader.dingtalk_userid)) if "预警" in str(c.data)]
            view = shown.view()
            assert view.lines[0] == title
            assert any(line.startswith("红色预警：TJ-2026-0001 通达物流公司") for line in view.lines)
            link = urlsplit(view.button("打开预警清单").url)
            assert parse_qs(link.query)["url"] == [PUBLIC + LIST]
        else:
            assert isinstance(side, SimulatorSide)
            card = await side._card(leader)
            assert card["title"] == title
            assert card["fields"][0][0] == "红色预警" and card["fields"][0][1].startswith("TJ-2026-0001")
            assert card["links"] == [{"label": "打开预警清单", "url": LIST}]
