"""协办股室 (finding 12, the notice and 查询): each co-department's head is told about the matter,
with where to see it, and 查询 shows 协办股室, 清单编号 and 政策依据."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.runtime.resources import Resources
from models.org import Organisation, Person, StandIn
from tests.handlers.test_commands import FORM, World, assert_refused, make_world

WITH_CO = FORM + "\n政策依据：《道路运输条例》第十条\n清单编号：YS-01\n协办股室：行政审批股、工程建设股"


@pytest.fixture
async def world(resources: Resources) -> AsyncIterator[World]:
    yield await make_world(resources)


async def test_each_co_department_head_is_told_with_the_number_and_how_to_see_it(world: World) -> None:
    matter = await world.submit(form=WITH_CO)
    for head, section in (("hexiaoyan", "行政审批股"), ("liudesheng", "工程建设股")):
        [notice] = await world.texts(head)
        assert f"{matter.number} 列{section}为协办股室" in notice, notice
        assert "道路运输经营许可" in notice and "张伟（运输管理股）" in notice
        assert "股室负责人 陈国庆" in notice and "2026-12-03 17:30" in notice
        assert f"发送“查询 {matter.number}”查看详情" in notice and "http" not in notice
    reply = await world.last_text("zhangwei")
    assert "已通知协办股室负责人：何晓燕（行政审批股）、刘德胜（工程建设股）" in reply
    assert await world.texts("liminghua") == []  # the chain's own people get their cards, no notice


async def test_the_notice_links_to_the_matter_page_when_a_public_url_is_set(world: World) -> None:
    settings = world.resources.settings
    world.resources.settings = settings.model_copy(update={"public_url": "https://tiji.example.gov.cn/"})
    matter = await world.submit(form=WITH_CO)
    [notice] = await world.texts("hexiaoyan")
    assert f"https://tiji.example.gov.cn/m/signin?next=/m/matters/{matter.number}" in notice
    assert f"查询 {matter.number}" in notice


async def test_a_stand_in_for_an_absent_co_department_head_is_told_too(world: World) -> None:
    organisation = await Organisation.get(code="tongbai-jt")
    head, stand_in = await Person.get(handle="hexiaoyan"), await Person.get(handle="sunlei")
    today = world.clock.now().date()
    await StandIn.create(organisation=organisation, person=head, stand_in=stand_in, start_date=today,
                         end_date=today + dt.timedelta(days=3), reason="外出学习")  # fmt: skip
    matter = await world.submit(form=WITH_CO)
    [notice] = await world.texts("sunlei")
    assert matter.number in notice
    assert "孙磊（代 何晓燕）" in await world.last_text("zhangwei")


async def test_show_gives_the_co_departments_catalog_item_and_policy_basis(world: World) -> None:
    matter = await world.submit(form=WITH_CO)
    reply = await world.say("zhangwei", f"查询 {matter.number}")
    assert reply.ok
    assert "协办股室：行政审批股、工程建设股" in reply.message
    assert "清单编号：YS-01 道路旅客运输经营许可" in reply.message
    assert "政策依据：《道路运输条例》第十条" in reply.message


async def test_a_co_department_head_may_look_the_matter_up_an_outsider_may_not(world: World) -> None:
    matter = await world.submit(form=WITH_CO)
    for handle in ("hexiaoyan", "liudesheng"):
        reply = await world.say(handle, f"查询 {matter.number}")
        assert reply.ok and "协办股室：行政审批股、工程建设股" in reply.message, (handle, reply.message)
    await assert_refused(world, "yanghaitao", f"查询 {matter.number}", "无权查看")  # 安全监督股 is not named


async def test_a_matter_without_co_departments_tells_nobody_else(world: World) -> None:
    matter = await world.submit()
    assert await world.texts("hexiaoyan") == []
    reply = await world.say("zhangwei", f"查询 {matter.number}")
    assert "协办股室" not in reply.message and "清单编号" not in reply.message
