"""The public pages' test support: ``public_app(resources)`` serves ``/public/…`` on the web layer,
``public_org()`` seeds the console's organisation (``tests.support.console``) with catalog items
(one public, one not), a unit's 制度 and the section head's phone, and ``FormVisit`` is a visitor
who opens the form, waits on the app's clock and sends it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import handlers.web.public
from bot.clock import SimClock
from bot.runtime.resources import RESOURCES, Resources
from bot.web.app import web_layer
from bot.web.pages import setup_pages
from models.catalog import CatalogItem
from models.org import Department, GroupChannel, Organisation, Person, Unit
from models.unit_rules import UnitRules
from tests.support.console import CSRF_INPUT, HTML, Client, ConsoleOrg, console_org

STAMP_INPUT = re.compile(r'name="started" value="([^"]+)"')
GOOD = {
    "complainant": "刘先生",
    "phone": "13800000000",
    "company": "",
    "content": "办理道路运输证被拒，没有说原因",
}


def public_app(resources: Resources) -> web.Application:
    app = web_layer()
    app[RESOURCES] = resources
    setup_pages(app, resources.settings)
    handlers.web.public.setup_routes(app)
    return app


async def public_client(resources: Resources) -> Client:
    client = TestClient(TestServer(public_app(resources)))
    await client.start_server()
    return client


async def public_org() -> ConsoleOrg:
    corg = await console_org()
    await Organisation.filter(id=corg.organisation.id).update(
        complaint_phone="0556-1234567", complaint_address="桐城市龙眠路 1 号一楼"
    )
    await Person.filter(id=corg.head.id).update(phone="0556-7654321")
    await GroupChannel.create(
        organisation=corg.organisation, code="office", name="活动办公室群", kind="office"
    )
    await CatalogItem.create(
        organisation=corg.organisation, department=corg.yunzheng, code="YZ-01", name="道路运输经营许可",
        category="行政许可", legal_basis="《道路运输条例》第十条", time_limit="法定20个工作日，承诺5个工作日",
        materials="申请表\n营业执照复印件", steps="受理\n审核\n发证",
    )  # fmt: skip
    await CatalogItem.create(
        organisation=corg.organisation, department=corg.yunzheng, code="YZ-09", name="内部核查事项",
        category="堵点断点", public=False,
    )  # fmt: skip
    other_unit = await Unit.create(organisation=corg.other, code="qsj", name="潜山局机关二")
    other_dept = await Department.create(
        organisation=corg.other, unit=other_unit, code="qsyz", name="潜山运政股"
    )
    await CatalogItem.create(
        organisation=corg.other, department=other_dept, code="QS-01", name="潜山的事项", category="行政许可"
    )
    await UnitRules.create(
        organisation=corg.organisation, unit=corg.bureau, scope="局机关各股室受理的事项",
        never_refuse="申请材料齐全、符合法定形式的", procedure="逐级提级", accountability="内部追责细则",
    )  # fmt: skip
    return corg


class FormVisit:
    """A visitor's browser: a cookie jar, the form's CSRF token and fill-time stamp."""

    def __init__(self, client: Client, clock: SimClock, code: str = "tc") -> None:
        self.client, self.clock, self.code = client, clock, code
        self.csrf = self.stamp = ""

    async def open(self, path: str | None = None) -> str:
        response = await self.client.get(path or f"/public/{self.code}/complaint", headers=HTML)
        assert response.status == 200, await response.text()
        text = await response.text()
        csrf, stamp = CSRF_INPUT.search(text), STAMP_INPUT.search(text)
        assert csrf and stamp
        self.csrf, self.stamp = csrf.group(1), stamp.group(1)
        return text

    async def send(self, fields: Mapping[str, str] | None = None, *, wait: float = 10,
                   headers: Mapping[str, str] | None = None, **overrides: str) -> tuple[int, str]:  # fmt: skip
        """Post the form ``wait`` seconds (app clock) after opening it; (status, final page)."""
        self.clock.advance(dt.timedelta(seconds=wait))
        data = {**(fields if fields is not None else GOOD), **overrides}
        data.setdefault("csrf", self.csrf)
        data.setdefault("started", self.stamp)
        response = await self.client.post(f"/public/{self.code}/complaint", data=data,
                                          headers={**HTML, **(headers or {})})  # fmt: skip
        return response.status, await response.text()
