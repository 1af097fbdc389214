"""我的待办 (/m/todo): my open steps by working hours left (red under 4), the replies I owe and my
recent matters, each opening the matter's page; a stand-in sees the steps they hold today."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import SimClock
from bot.runtime.resources import Resources
from bot.settings import Settings
from models.org import StandIn
from tests.bot.jobs.test_duties import Org, at, build_org, make_matter, make_step
from tests.handlers.web.pages.page_world import HTML, client_as, pages_app


@pytest.fixture
async def world(resources: Resources) -> Org:
    return await build_org()


def numbers_in(html: str, section: str) -> list[str]:
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li class="row[^"]*" data-number="([^"]+)"', part)


async def test_my_open_steps_come_most_urgent_first_and_red_under_four_hours(
    settings: Settings, resources: Resources, clock: SimClock, world: Org
) -> None:
    later = await make_matter(world, world.transport, "s1", at(2026, 11, 30, 9, 0))
    sooner = await make_matter(world, world.transport, "s1", at(2026, 11, 25, 9, 0))  # due today 17:30
    elsewhere = await make_matter(world, world.legal, "s2", at(2026, 11, 25, 9, 0))
    await make_step(later, world.people["gu1"], at(2026, 11, 30, 9, 0))
    await make_step(sooner, world.people["gu1"], at(2026, 11, 25, 9, 0))
    await make_step(elsewhere, world.people["gu2"], at(2026, 11, 25, 9, 0))
    clock.set(at(2026, 11, 30, 14, 0))  # 3.5 working hours before the sooner one's deadline

    client = await client_as(settings, resources, world.people["gu1"])
    try:
        html = await (await client.get("/m/todo", headers=HTML)).text()
    finally:
        await client.close()
    assert numbers_in(html, "steps") == [sooner.number, later.number]  # not 周股长's
    assert f'<li class="row urgent" data-number="{sooner.number}">' in html
    assert f'<li class="row" data-number="{later.number}">' in html
    assert "剩 3.5 工时" in html
    assert f'href="/m/matters/{sooner.number}"' in html
    assert 'href="/m/stand-in"' in html  # a leader may set a stand-in


async def test_replies_i_owe_and_my_recent_matters(
    settings: Settings, resources: Resources, world: Org
) -> None:
    owed = await make_matter(world, world.transport, "s1", at(2026, 11, 26, 9, 0), state="resolved",
                             outcome="can_do", decided_at=at(2026, 11, 27, 9, 0))  # fmt: skip
    answered = await make_matter(world, world.transport, "s1", at(2026, 11, 26, 10, 0), state="closed",
                                 outcome="can_do", decided_at=at(2026, 11, 27, 9, 0),
                                 replied_at=at(2026, 11, 27, 10, 0))  # fmt: skip
    pending = await make_matter(world, world.transport, "s1", at(2026, 11, 30, 9, 0))
    await make_matter(world, world.legal, "s2", at(2026, 11, 30, 9, 0), state="resolved")  # not mine

    client = await client_as(settings, resources, world.people["s1"])
    try:
        html = await (await client.get("/m/todo", headers=HTML)).text()
    finally:
        await client.close()
    assert numbers_in(html, "steps") == []
    assert "目前没有待您审批的事项" in html
    assert numbers_in(html, "replies") == [owed.number]
    assert numbers_in(html, "recent") == [pending.number, answered.number, owed.number]
    assert 'href="/m/stand-in"' not in html  # staff have no stand-in to set


async def test_a_stand_in_sees_the_steps_held_for_the_leader_today(
    settings: Settings, resources: Resources, world: Org
) -> None:
    matter = await make_matter(world, world.transport, "s1", at(2026, 11, 30, 9, 0))
    await make_step(matter, world.people["gu1"], at(2026, 11, 30, 9, 0))
    await StandIn.create(organisation=world.org, person=world.people["gu1"], stand_in=world.people["s2"],
                         start_date=dt.date(2026, 11, 30), end_date=dt.date(2026, 12, 2))  # fmt: skip
    stand_in = await client_as(settings, resources, world.people["s2"])
    leader = await client_as(settings, resources, world.people["gu1"])
    try:
        held = await (await stand_in.get("/m/todo", headers=HTML)).text()
        away = await (await leader.get("/m/todo", headers=HTML)).text()
    finally:
        await stand_in.close()
        await leader.close()
    assert numbers_in(held, "steps") == [matter.number]
    assert "（代 李股长）" in held
    assert numbers_in(away, "steps") == []


async def test_a_stranger_is_sent_to_sign_in_first(
    settings: Settings, resources: Resources, world: Org
) -> None:
    client = TestClient(TestServer(pages_app(settings, resources)))
    await client.start_server()
    try:
        response = await client.get("/m/todo", headers=HTML, allow_redirects=False)
    finally:
        await client.close()
    assert response.status == 302
    assert response.headers["Location"] == "/m/signin?next=/m/todo"
