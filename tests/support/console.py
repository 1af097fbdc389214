"""The console's test support: an organisation with every console role (and a second
organisation that must never show), and a test client of the console's routes.

``console_org()`` seeds two units (局机关 with 运政股 and 路政股; 公路中心 with 养护股), a person per
role (office, discipline, admin, the principal of 局机关, the deputy in charge of 运政股, a staff
member) and ``other``: another bureau with its own office person and matter-free org.

``console_client(resources)`` serves the console and the phone pages on the web layer;
``signed_in_client(app, person)`` (``tests.support.pages``) signs a person in, and
``sign_in_local(client, username, password)`` goes through the local sign-in form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import handlers.web.console
import handlers.web.pages
from bot.runtime.resources import RESOURCES, Resources
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.org import Department, Organisation, Person, Unit

HTML = {"Accept": "text/html"}
Client = TestClient[web.Request, web.Application]
CSRF_INPUT = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class ConsoleOrg:
    organisation: Organisation
    bureau: Unit
    centre: Unit
    yunzheng: Department
    luzheng: Department
    yanghu: Department
    office: Person
    discipline: Person
    admin: Person
    principal: Person
    deputy: Person
    head: Person
    staff: Person
    other: Organisation
    other_office: Person


async def _person(org: Organisation, unit: Unit, handle: str, name: str, roles: list[str],
                  department: Department | None = None) -> Person:  # fmt: skip
    return await Person.create(
        organisation=org, unit=unit, department=department, handle=handle, name=name, roles=roles
    )


async def console_org() -> ConsoleOrg:
    org = await Organisation.create(code="tc", name="桐城市交通运输局")
    bureau = await Unit.create(organisation=org, code="jg", name="局机关")
    centre = await Unit.create(organisation=org, code="gl", name="公路中心", kind="subordinate")
    office = await _person(org, bureau, "office", "王办公", ["office"])
    discipline = await _person(org, bureau, "jijian", "纪检员", ["discipline"])
    admin = await _person(org, bureau, "admin", "管理员甲", ["admin"])
    principal = await _person(org, bureau, "juzhang", "赵局长", ["principal"])
    deputy = await _person(org, bureau, "fuju", "钱副局", ["deputy"])
    centre_boss = await _person(org, centre, "zhuren", "孙主任", ["principal"])
    yunzheng = await Department.create(organisation=org, unit=bureau, code="yz", name="运政股",
                                       deputy_id=deputy.id)  # fmt: skip
    luzheng = await Department.create(organisation=org, unit=bureau, code="lz", name="路政股",
                                      deputy_id=principal.id)  # fmt: skip
    yanghu = await Department.create(organisation=org, unit=centre, code="yh", name="养护股",
                                     deputy_id=centre_boss.id)  # fmt: skip
    head = await _person(org, bureau, "guzhang", "李股长", ["section_head"], yunzheng)
    staff = await _person(org, bureau, "zhangsan", "张三", ["staff"], yunzheng)
    await Department.filter(id=yunzheng.id).update(head_id=head.id)
    await Department.filter(id=luzheng.id).update(head_id=head.id)
    await Department.filter(id=yanghu.id).update(head_id=head.id)
    await Unit.filter(id=bureau.id).update(principal_id=principal.id)
    await Unit.filter(id=centre.id).update(principal_id=centre_boss.id)
    other = await Organisation.create(code="qs", name="潜山市交通运输局")
    other_unit = await Unit.create(organisation=other, code="jg", name="潜山局机关")
    other_office = await _person(other, other_unit, "office2", "潜山办公室", ["office"])
    return ConsoleOrg(org, bureau, centre, yunzheng, luzheng, yanghu, office, discipline, admin,
                      principal, deputy, head, staff, other, other_office)  # fmt: skip


def console_app(resources: Resources) -> web.Application:
    """The web layer with the pages' machinery, the console's routes and the phone pages."""
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, resources.settings)
    handlers.web.pages.setup_routes(app)
    handlers.web.console.setup_routes(app)
    return app


async def console_client(resources: Resources) -> Client:
    """A started client of ``console_app`` (close it with ``await client.close()``)."""
    client = TestClient(TestServer(console_app(resources)))
    await client.start_server()
    return client


async def csrf_of(client: Client, path: str) -> str:
    """The CSRF token of the form on ``path`` (the page must render one)."""
    response = await client.get(path, headers=HTML)
    match = CSRF_INPUT.search(await response.text())
    assert match, f"no CSRF field on {path}"
    return match.group(1)
