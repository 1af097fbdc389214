"""A small org and the simulator's routes on the web layer over a recording router (no core
workflow needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.events import Event, Reply
from bot.runtime.resources import RESOURCES, ROUTER, Resources
from bot.web.app import web_layer
from handlers.web.sim import setup_routes
from models.org import Department, GroupChannel, Organisation, Person, Unit


@dataclass
class RecordingRouter:
    """Stands in for ``handlers.router.Router``: records events and answers with a fixed reply."""

    reply: Reply = field(default_factory=lambda: Reply(True, "已收到"))
    events: list[Event] = field(default_factory=list)

    async def handle(self, event: Event) -> Reply:
        self.events.append(event)
        return self.reply


@dataclass
class Org:
    organisation: Organisation
    staff: Person
    head: Person
    principal: Person
    office_group: GroupChannel


async def make_org() -> Org:
    org = await Organisation.create(code="tc", name="桐城市交通运输局")
    unit = await Unit.create(organisation=org, code="jg", name="局机关")
    dept = await Department.create(organisation=org, unit=unit, code="yz", name="运政股")
    staff = await Person.create(
        organisation=org,
        unit=unit,
        department=dept,
        handle="zhangsan",
        name="张三",
        title="科员",
        roles=["staff"],
    )
    head = await Person.create(
        organisation=org, unit=unit, department=dept, handle="lisi", name="李四", title="股长",
        roles=["staff", "section_head"],
    )  # fmt: skip
    principal = await Person.create(
        organisation=org, unit=unit, handle="zhaoliu", name="赵六", title="局长", roles=["principal"]
    )
    await Person.create(organisation=org, unit=unit, handle="gone", name="离职者", active=False)
    group = await GroupChannel.create(organisation=org, code="office", name="活动办公室群", kind="office")
    return Org(org, staff, head, principal, group)


@pytest.fixture
async def org(resources: Resources) -> Org:
    return await make_org()


@pytest.fixture
def router() -> RecordingRouter:
    return RecordingRouter()


@pytest.fixture
async def client(
    resources: Resources, router: RecordingRouter
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web_layer()
    app[RESOURCES] = resources
    app[ROUTER] = router
    setup_routes(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
