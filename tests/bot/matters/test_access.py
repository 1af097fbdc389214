"""Who may open a matter's page (issue 11 item 2), and which step is the viewer's to decide, with
the example org: 张伟 (运输管理股) submits; 陈国庆 heads the section, 李明华 is its deputy, 王建国 the
principal; 工程建设股 (刘德胜, deputy 赵志强) is the 协办股室 when named."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.matters.access import may_view, open_step_of
from bot.runtime.resources import Resources
from models.matter import DecisionStep, Matter
from models.org import Organisation, Person, StandIn
from tests.handlers.test_commands import FORM, World, make_world

CHINA = dt.timezone(dt.timedelta(hours=8))
CONSULTED = FORM + "\n协办股室：工程建设股"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def person(handle: str) -> Person:
    return await Person.get(handle=handle)


TODAY = dt.date(2026, 11, 30)  # the test clock's day


async def sees(handle: str, matter: Matter, today: dt.date = TODAY) -> bool:
    return await may_view(await person(handle), matter, today=today)


@pytest.mark.parametrize(
    "handle",
    [
        "zhangwei",  # the submitter
        "chenguoqing",  # section head (level 2, holding the step)
        "liminghua",  # deputy in charge (level 3, not reached yet)
        "wangjianguo",  # principal (level 4)
        "zhouwenbin",  # office
        "fengxue",  # office
        "tangweidong",  # 纪检组
        "liudesheng",  # head of the 协办股室
        "zhaozhiqiang",  # deputy of the 协办股室 (会商 at level 3)
    ],
)
async def test_everyone_on_the_matter_sees_it(world: World, handle: str) -> None:
    matter = await world.submit("zhangwei", CONSULTED)
    assert await sees(handle, matter)


@pytest.mark.parametrize("handle", ["wangfang", "zhaomin", "sunlei", "yanghaitao", "xujun"])
async def test_a_colleague_not_on_the_matter_does_not_see_it(world: World, handle: str) -> None:
    matter = await world.submit("zhangwei")
    assert not await sees(handle, matter)


async def test_a_stand_in_of_a_chain_leader_sees_it_once_the_range_begins(world: World) -> None:
    matter = await world.submit("zhangwei")
    assert not await sees("wangfang", matter)
    leader = await person("liminghua")
    await StandIn.create(
        organisation_id=leader.organisation_id,
        person=leader,
        stand_in=await person("wangfang"),
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 3),
    )
    assert not await sees("wangfang", matter)  # booked for tomorrow: not yet
    assert await sees("wangfang", matter, today=dt.date(2026, 12, 1))
    assert await sees("wangfang", matter, today=dt.date(2027, 1, 4))  # stood in: still sees it


async def test_a_stand_in_booked_for_months_later_does_not_see_it_now(world: World) -> None:
    # The example org books 赵志强 for 李明华 in February 2027; the chat's 查询 refused him before.
    matter = await world.submit("zhangwei")
    assert not await sees("zhaozhiqiang", matter)
    assert await sees("zhaozhiqiang", matter, today=dt.date(2027, 2, 1))


async def test_an_inactive_person_sees_nothing(world: World) -> None:
    matter = await world.submit("zhangwei")
    head = await person("chenguoqing")
    head.active = False
    assert not await may_view(head, matter, today=TODAY)
    assert await open_step_of(head, matter, at=world.clock.now(), tz=CHINA) is None


async def test_another_organisations_office_never_sees_it(world: World) -> None:
    matter = await world.submit("zhangwei")
    other = await Organisation.create(code="other-bureau", name="另一个局")
    office = await Person.create(organisation=other, handle="zhouwenbin", name="周文斌", roles=["office"])
    assert not await may_view(office, matter, today=TODAY)
    assert await open_step_of(office, matter) is None


async def test_the_open_step_is_the_holders_only(world: World) -> None:
    matter = await world.submit("zhangwei")
    now = world.clock.now()
    step = await open_step_of(await person("chenguoqing"), matter, at=now, tz=CHINA)
    assert step is not None and step.level == 2
    for handle in ("zhangwei", "liminghua", "zhouwenbin", "wangjianguo"):
        assert await open_step_of(await person(handle), matter, at=now, tz=CHINA) is None


async def test_the_open_step_moves_up_with_the_matter_and_ends_with_it(world: World) -> None:
    matter = await world.submit("zhangwei")
    card = await world.open_card("chenguoqing")
    assert (await world.click("chenguoqing", card["ref"], "escalate")).ok
    now = world.clock.now()
    assert await open_step_of(await person("chenguoqing"), matter, at=now, tz=CHINA) is None
    step = await open_step_of(await person("liminghua"), matter, at=now, tz=CHINA)
    assert step is not None and step.level == 3
    assert (await world.click("liminghua", (await world.open_card("liminghua"))["ref"], "can_do")).ok
    assert await open_step_of(await person("liminghua"), matter, at=now, tz=CHINA) is None
    assert await DecisionStep.filter(matter_id=matter.id, status="decided").count() == 2


async def test_a_stand_in_holds_the_step_only_while_the_range_lasts(world: World) -> None:
    matter = await world.submit("zhangwei")
    head, acting = await person("chenguoqing"), await person("wangfang")
    await StandIn.create(
        organisation_id=head.organisation_id,
        person=head,
        stand_in=acting,
        start_date=dt.date(2026, 12, 1),
        end_date=dt.date(2026, 12, 2),
    )
    on_the_day = dt.datetime(2026, 12, 1, 10, tzinfo=CHINA)
    after = dt.datetime(2026, 12, 3, 10, tzinfo=CHINA)
    assert await open_step_of(acting, matter, at=on_the_day, tz=CHINA) is not None
    assert await open_step_of(head, matter, at=on_the_day, tz=CHINA) is None
    assert await open_step_of(acting, matter, at=after, tz=CHINA) is None
    assert await open_step_of(head, matter, at=after, tz=CHINA) is not None
