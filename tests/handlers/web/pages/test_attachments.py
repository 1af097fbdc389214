"""A matter's attachments: the submitter adds photos or PDFs (checked by content, at most 6, 10 MB
each, nothing stored on refusal); they are served, with their own type and no sniffing, only to
those who may see the matter — an outsider gets 403, another organisation finds nothing."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.runtime.resources import Resources
from bot.web.app import build_app
from models.attachments import Attachment
from models.matter import Matter
from models.org import Organisation, Person, Role, Unit
from tests.handlers.test_commands import World, make_world
from tests.handlers.web.pages.test_new import JPEG, PDF, PNG, files_on_disk
from tests.support.pages import signed_in_client

Client = TestClient[web.Request, web.Application]
HTML = {"Accept": "text/html"}


@dataclass
class Attaching:
    world: World
    app: web.Application
    matter: Matter
    clients: dict[str, Client]

    async def client(self, handle: str) -> Client:
        if handle not in self.clients:
            person = await Person.get(handle=handle)
            self.clients[handle] = await signed_in_client(self.app, person)
        return self.clients[handle]

    async def upload(
        self, handle: str, *files: tuple[str, bytes], csrf: str | None = None
    ) -> aiohttp.ClientResponse:
        client = await self.client(handle)
        page = await client.get("/m/new", headers=HTML)  # the session's token is on every form
        found = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        data = aiohttp.FormData()
        data.add_field("csrf", csrf if csrf is not None else (found.group(1) if found else ""))
        for name, content in files:
            data.add_field("files", io.BytesIO(content), filename=name, content_type="image/jpeg")
        return await client.post(
            f"/m/matters/{self.matter.number}/attachments", data=data, headers=HTML, allow_redirects=False
        )


@pytest.fixture
async def attaching(resources: Resources) -> AsyncIterator[Attaching]:
    world = await make_world(resources)
    matter = await world.submit()  # 张伟 of 运输管理股
    app = build_app(resources.settings, resources=resources)
    state = Attaching(world, app, matter, {})
    try:
        yield state
    finally:
        for client in state.clients.values():
            await client.close()


async def test_the_submitter_adds_attachments_and_a_leader_of_the_chain_opens_them(
    attaching: Attaching,
) -> None:
    response = await attaching.upload("zhangwei", ("行驶证.jpg", JPEG), ("申请书.pdf", PDF))
    assert response.status == 303
    kept = await Attachment.filter(matter_id=attaching.matter.id).order_by("id")
    assert [a.filename for a in kept] == ["行驶证.jpg", "申请书.pdf"]
    head = await attaching.client("chenguoqing")  # the section head: level 2 of the chain
    served = await head.get(f"/m/attachments/{kept[1].id}")
    assert served.status == 200
    assert await served.read() == PDF
    assert served.headers["Content-Type"] == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("inline;")
    assert "UTF-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf" in served.headers["Content-Disposition"]
    listing = await (await head.get(f"/m/matters/{attaching.matter.number}/attachments", headers=HTML)).text()
    assert "行驶证.jpg" in listing and "上传附件" in listing  # the holder of the open step may add too
    office = await attaching.client("zhouwenbin")  # sees everything, decides nothing here
    listing = await (
        await office.get(f"/m/matters/{attaching.matter.number}/attachments", headers=HTML)
    ).text()
    assert "行驶证.jpg" in listing and "上传附件" not in listing
    assert (await attaching.upload("zhouwenbin", ("x.jpg", JPEG))).status == 403


async def test_a_jpg_that_is_really_text_is_refused_and_nothing_is_stored(attaching: Attaching) -> None:
    response = await attaching.upload(
        "zhangwei", ("good.png", PNG), ("fake.jpg", b"<html>not a photo</html>")
    )
    assert response.status == 400
    html = await response.text()
    assert "“fake.jpg”不是 JPG/PNG 照片或 PDF 文件" in html and "这次的附件都没有保存" in html
    assert await Attachment.all().count() == 0
    assert files_on_disk(attaching.world.resources) == []


async def test_over_10_mb_is_refused(attaching: Attaching) -> None:
    response = await attaching.upload("zhangwei", ("big.jpg", JPEG + b"\0" * (10 * 1024 * 1024)))
    assert response.status == 400
    assert "超过 10 MB" in await response.text()
    assert await Attachment.all().count() == 0
    assert files_on_disk(attaching.world.resources) == []


async def test_the_seventh_attachment_is_refused(attaching: Attaching) -> None:
    assert (await attaching.upload("zhangwei", *[(f"p{n}.jpg", JPEG) for n in range(6)])).status == 303
    client = await attaching.client("zhangwei")
    listing = await (
        await client.get(f"/m/matters/{attaching.matter.number}/attachments", headers=HTML)
    ).text()
    assert "上传附件" not in listing and "已有 6 个附件" in listing
    response = await attaching.upload("zhangwei", ("p7.jpg", JPEG))
    assert response.status == 400
    assert "每个事项最多 6 个附件" in await response.text()
    assert await Attachment.all().count() == 6
    assert len(files_on_disk(attaching.world.resources)) == 6


async def test_an_upload_without_the_csrf_token_is_refused(attaching: Attaching) -> None:
    response = await attaching.upload("zhangwei", ("a.jpg", JPEG), csrf="forged")
    assert response.status == 403
    assert await Attachment.all().count() == 0
    assert files_on_disk(attaching.world.resources) == []


async def test_an_outsider_gets_403_with_no_data(attaching: Attaching) -> None:
    await attaching.upload("zhangwei", ("行驶证.jpg", JPEG))
    attachment = await Attachment.get()
    outsider = await attaching.client("liqiang")  # 工程建设股 staff, not in the chain
    for path in (f"/m/attachments/{attachment.id}", f"/m/matters/{attaching.matter.number}/attachments"):
        response = await outsider.get(path, headers=HTML)
        assert response.status == 403, path
        body = await response.read()
        assert JPEG not in body and "行驶证".encode() not in body and "张三".encode() not in body
    refused = await attaching.upload("liqiang", ("x.jpg", JPEG))
    assert refused.status == 403
    assert await Attachment.all().count() == 1


async def test_another_organisation_finds_nothing_by_number_or_id(attaching: Attaching) -> None:
    await attaching.upload("zhangwei", ("行驶证.jpg", JPEG))
    attachment = await Attachment.get()
    other = await Organisation.create(code="other", name="另一个局")
    unit = await Unit.create(organisation=other, code="u", name="局机关")
    stranger = await Person.create(organisation=other, unit=unit, handle="zhangwei", name="外单位局长",
                                   roles=[Role.PRINCIPAL.value])  # fmt: skip
    client = await signed_in_client(attaching.app, stranger)
    attaching.clients["stranger"] = client
    for path in (
        f"/m/attachments/{attachment.id}",
        f"/m/matters/{attaching.matter.number}/attachments",
        "/m/attachments/99999999999999999999",
        "/m/attachments/-1",
        "/m/matters/%00/attachments",
    ):
        response = await client.get(path, headers=HTML)
        assert response.status == 404, path
        body = await response.read()
        assert (
            JPEG not in body
            and "行驶证".encode() not in body
            and attaching.matter.subject.encode() not in body
        )


async def test_the_office_and_the_co_departments_head_may_view(attaching: Attaching) -> None:
    await attaching.upload("zhangwei", ("行驶证.jpg", JPEG))
    attachment = await Attachment.get()
    office = await attaching.client("zhouwenbin")  # 办公室主任, office role
    assert (await office.get(f"/m/attachments/{attachment.id}")).status == 200
