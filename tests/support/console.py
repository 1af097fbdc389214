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

import datetime as dt
import re
from dataclasses import dataclass

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import handlers.web.console
import handlers.web.pages
from bot.runtime.resources import RESOURCES, Resources
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.enums import Action, MatterState
from models.matter import Matter
from models.org import Department, Organisation, Person, Unit
from models.reports import ReportTask

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


_SEQ = {"n": 0}


async def make_matter(
    corg: ConsoleOrg,
    department: Department,
    *,
    submitted_at: dt.datetime,
    due_at: dt.datetime,
    state: MatterState = MatterState.PENDING,
    level: int = 2,
    outcome: Action | None = None,
    replied_at: dt.datetime | None = None,
    subject: str = "申请办理道路运输证",
    applicant: str = "刘先生",
) -> Matter:
    """A matter of ``department`` as the workflow would have left it (no steps)."""
    _SEQ["n"] += 1
    seq = _SEQ["n"]
    return await Matter.create(
        organisation=corg.organisation, number=f"TJ-{submitted_at.year}-{seq:04d}", year=submitted_at.year,
        seq=seq, unit_id=department.unit_id, department=department, submitter=corg.staff, applicant=applicant,
        applicant_phone="13800000000", subject=subject, reason="材料不全", state=state, level=level,
        outcome=outcome, submitted_at=submitted_at, due_at=due_at, replied_at=replied_at,
        decided_at=submitted_at if outcome else None,
        closed_at=replied_at if state is MatterState.CLOSED else None,
        withdrawn_at=submitted_at if state is MatterState.WITHDRAWN else None,
    )  # fmt: skip


@dataclass
class Seeded:
    """The matters of ``seed_quarter`` by name (see its docstring)."""

    matters: dict[str, Matter]


async def seed_quarter(corg: ConsoleOrg, now: dt.datetime) -> Seeded:
    """Matters around ``now`` (Monday 2026-11-30 09:00 in Shanghai, the tests' clock):

    - 2026Q4, 运政股: ``a`` level 2, 2 hours old; ``b`` level 3, 2 days old, 1 hour overdue; ``c``
      level 4, 10 days old, due in 3 hours (yellow); ``d`` 能办 owing its reply by 17:30 today
      (yellow, due today); ``e`` 确认不能办 owing its reply since yesterday (red);
    - 2026Q4, 养护股: ``h`` withdrawn;
    - 2026Q3: ``f`` 能办 and closed (运政股), ``g`` 确认不能办 and closed (路政股);
    - the other organisation: ``x`` level 2, overdue (never shown to this one);
    - quarterly tables of 2026Q3: 局机关 confirmed, 公路中心 not (overdue).
    """
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    later = now + 3 * day
    today_end = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)  # 17:30 in Shanghai
    yz = corg.yunzheng
    m = {
        "a": await make_matter(corg, yz, submitted_at=now - 2 * hour, due_at=later),
        "b": await make_matter(corg, yz, submitted_at=now - 2 * day, due_at=now - hour, level=3),
        "c": await make_matter(corg, yz, submitted_at=now - 10 * day, due_at=now + 3 * hour, level=4),
        "d": await make_matter(
            corg,
            yz,
            submitted_at=now - 5 * day,
            due_at=today_end,
            level=3,
            state=MatterState.RESOLVED,
            outcome=Action.CAN_DO,
        ),
        "e": await make_matter(
            corg,
            yz,
            submitted_at=now - 4 * day,
            due_at=now - day,
            level=4,
            state=MatterState.REFUSED,
            outcome=Action.CONFIRM_NO,
        ),
        "h": await make_matter(
            corg,
            corg.yanghu,
            submitted_at=dt.datetime(2026, 11, 2, 2, tzinfo=dt.UTC),
            due_at=dt.datetime(2026, 11, 5, 9, tzinfo=dt.UTC),
            state=MatterState.WITHDRAWN,
        ),
        "f": await make_matter(
            corg,
            yz,
            submitted_at=dt.datetime(2026, 8, 10, 2, tzinfo=dt.UTC),
            due_at=dt.datetime(2026, 8, 13, 9, tzinfo=dt.UTC),
            state=MatterState.CLOSED,
            outcome=Action.CAN_DO,
            replied_at=dt.datetime(2026, 8, 11, 2, tzinfo=dt.UTC),
        ),
        "g": await make_matter(
            corg,
            corg.luzheng,
            submitted_at=dt.datetime(2026, 9, 1, 2, tzinfo=dt.UTC),
            due_at=dt.datetime(2026, 9, 4, 9, tzinfo=dt.UTC),
            state=MatterState.CLOSED,
            outcome=Action.CONFIRM_NO,
            replied_at=dt.datetime(2026, 9, 2, 2, tzinfo=dt.UTC),
        ),
    }
    other_unit = await Unit.get(organisation=corg.other)
    other_dept = await Department.create(
        organisation=corg.other, unit=other_unit, code="yz", name="潜山运政股"
    )
    m["x"] = await Matter.create(
        organisation=corg.other, number="QS-2026-0001", year=2026, seq=1, unit=other_unit, department=other_dept,
        submitter=corg.other_office, applicant="潜山申请人", applicant_phone="1", subject="潜山的事项", reason="r",
        state=MatterState.PENDING, level=2, submitted_at=now - day, due_at=now - hour,
    )  # fmt: skip
    opened, due = dt.datetime(2026, 9, 30, 16, tzinfo=dt.UTC), dt.datetime(2026, 10, 15, 9, 30, tzinfo=dt.UTC)
    await ReportTask.create(organisation=corg.organisation, unit=corg.bureau, quarter="2026Q3", due_at=due,
                            opened_at=opened, confirmed_at=due - day, confirmed_by=corg.office)  # fmt: skip
    await ReportTask.create(organisation=corg.organisation, unit=corg.centre, quarter="2026Q3", due_at=due,
                            opened_at=opened)  # fmt: skip
    return Seeded(m)
