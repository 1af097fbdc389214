"""``/m/new``: the 说不 form on a phone — the chat command's checks with each message beside its
field and every value kept, nothing stored on bad input, one matter for a double submit, the
section's catalog, 协办股室, attachments checked by content, and every value shown escaped."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.errors import ConcurrentChange
from bot.runtime.resources import Resources
from bot.web.app import build_app
from handlers.web.pages import new as new_page
from models.attachments import Attachment
from models.audit import AuditEntry
from models.matter import DecisionStep, Matter
from models.messaging import OutboxMessage
from models.org import Person
from tests.handlers.test_commands import World, make_world
from tests.support.pages import signed_in_client

Client = TestClient[web.Request, web.Application]
HTML = {"Accept": "text/html"}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
GOOD = {
    "applicant": "桐柏县宏达运输有限公司",
    "phone": "13800001111",
    "subject": "道路货物运输经营许可延续",
    "reason": "年审材料不全",
}


@dataclass
class Form:
    world: World
    client: Client
    person: Person

    async def page(self) -> str:
        response = await self.client.get("/m/new", headers=HTML)
        assert response.status == 200
        return await response.text()

    async def fresh(self) -> tuple[str, str]:
        """(csrf, nonce) of a freshly opened form."""
        html = await self.page()
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        nonce = re.search(r'name="nonce" value="([^"]+)"', html)
        assert csrf and nonce
        return csrf.group(1), nonce.group(1)

    async def post(
        self,
        fields: dict[str, str],
        *,
        co: tuple[str, ...] = (),
        files: tuple[tuple[str, bytes], ...] = (),
        nonce: str | None = None,
        csrf: str | None = None,
    ) -> aiohttp.ClientResponse:
        token, fresh_nonce = await self.fresh()
        data = aiohttp.FormData()
        data.add_field("csrf", token if csrf is None else csrf)
        data.add_field("nonce", nonce or fresh_nonce)
        for name, value in fields.items():
            data.add_field(name, value)
        for code in co:
            data.add_field("co_departments", code)
        for filename, content in files:
            data.add_field(
                "files", io.BytesIO(content), filename=filename, content_type="application/octet-stream"
            )
        if not files:
            data.add_field("files", b"", filename="", content_type="application/octet-stream")
        return await self.client.post("/m/new", data=data, headers=HTML, allow_redirects=False)


@pytest.fixture
async def form(resources: Resources) -> AsyncIterator[Form]:
    world = await make_world(resources)
    app = build_app(resources.settings, resources=resources)
    person = await Person.get(handle="zhangwei")
    client = await signed_in_client(app, person)
    try:
        yield Form(world, client, person)
    finally:
        await client.close()


async def stored() -> dict[str, int]:
    return {
        model.__name__: await model.all().count()
        for model in (Matter, DecisionStep, AuditEntry, Attachment, OutboxMessage)
    }


def files_on_disk(resources: Resources) -> list[Path]:
    root = resources.settings.data_dir / "attachments"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_the_form_lists_the_catalog_of_the_persons_own_section_only(form: Form) -> None:
    html = await form.page()
    assert "YS-01 道路旅客运输经营许可" in html  # 运输管理股's
    assert "运输管理股的事项清单" in html
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options and all(code == "" or code.startswith("YS-") for code in options), options


async def test_co_departments_offer_the_other_sections_not_ones_own(form: Form) -> None:
    html = await form.page()
    assert 'value="xzsp"' in html and "行政审批股" in html
    assert 'value="gl-lzg"' in html  # a subordinate unit's section too
    assert 'value="ysk"' not in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("applicant", "", "缺少“服务对象”"),
        ("phone", "", "缺少“联系电话”"),
        ("phone", "12345", "联系电话“12345”格式不对"),
        ("subject", "", "缺少“事项”"),
        ("reason", "", "缺少“拟说不理由”"),
        ("reason", "长" * 2001, "“拟说不理由”太长（最多 2000 字）"),
        ("catalog_code", "NO-99", "清单编号“NO-99”不存在"),
    ],
)
async def test_each_bad_field_gets_its_message_beside_it_and_nothing_is_stored(
    form: Form, field: str, value: str, message: str
) -> None:
    before = await stored()
    response = await form.post({**GOOD, "request": "尽快办理", field: value})
    assert response.status == 400
    html = await response.text()
    beside = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert beside is not None and message in beside.group(1), html[:3000]
    for name, kept in {**GOOD, "request": "尽快办理"}.items():  # the other values are kept
        if name != field:
            assert kept in html, name
    assert await stored() == before


async def test_an_unknown_co_department_is_refused(form: Form) -> None:
    before = await stored()
    response = await form.post(GOOD, co=("nosuch",))
    assert response.status == 400
    assert "协办股室“nosuch”不存在" in await response.text()
    assert await stored() == before


async def test_a_good_form_creates_the_matter_as_the_chat_command_does(form: Form) -> None:
    response = await form.post(
        {**GOOD, "catalog_code": "YS-02", "policy_basis": "《道路运输条例》"}, co=("xzsp",)
    )
    assert response.status == 303, await response.text()
    matter = await Matter.get()
    assert response.headers["Location"] == f"/m/matters/{matter.number}"
    assert (matter.applicant, matter.applicant_phone, matter.subject, matter.reason) == tuple(GOOD.values())
    assert matter.policy_basis == "《道路运输条例》" and matter.catalog_item_id is not None
    assert len(matter.co_department_ids) == 1
    assert await AuditEntry.filter(action="submit", subject=matter.number).count() == 1
    card = await form.world.open_card("chenguoqing")  # the section head's card, as after 说不 in chat
    assert matter.number in card["title"]


async def test_a_double_submit_creates_one_matter_and_both_land_on_it(form: Form) -> None:
    _, nonce = await form.fresh()
    first = await form.post(GOOD, nonce=nonce)
    second = await form.post(GOOD, nonce=nonce)
    assert first.status == second.status == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert await Matter.all().count() == 1
    assert len(await form.world.cards("chenguoqing")) == 1


async def test_a_double_submit_without_redis_memory_still_creates_one(form: Form) -> None:
    _, nonce = await form.fresh()
    first = await form.post(GOOD, nonce=nonce)
    await form.world.resources.redis.flushdb()  # the inbox key alone refuses the second
    await form.client.get(f"/test/sign-in/{form.person.id}")
    second = await form.post(GOOD, nonce=nonce)
    assert second.status == 303 and second.headers["Location"] == first.headers["Location"]
    assert await Matter.all().count() == 1


async def test_without_the_csrf_token_nothing_is_stored(form: Form) -> None:
    before = await stored()
    response = await form.post(GOOD, csrf="forged", files=(("a.jpg", JPEG),))
    assert response.status == 403
    assert await stored() == before
    assert files_on_disk(form.world.resources) == []


async def test_attachments_are_kept_with_the_matter(form: Form) -> None:
    response = await form.post(GOOD, files=(("身份证.jpg", JPEG), ("营业执照.png", PNG), ("申请书.pdf", PDF)))
    assert response.status == 303
    matter = await Matter.get()
    kept = await Attachment.filter(matter_id=matter.id).order_by("id")
    assert [(a.filename, a.content_type) for a in kept] == [
        ("身份证.jpg", "image/jpeg"), ("营业执照.png", "image/png"), ("申请书.pdf", "application/pdf")
    ]  # fmt: skip
    assert len(files_on_disk(form.world.resources)) == 3  # no staging file left behind


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ((("photo.jpg", b"just some text, not a photo"),), "不是 JPG/PNG 照片或 PDF 文件"),
        ((("big.jpg", JPEG + b"\x00" * (10 * 1024 * 1024)),), "超过 10 MB"),
        (tuple((f"p{n}.jpg", JPEG) for n in range(7)), "每个事项最多 6 个附件"),
        ((("empty.pdf", b""),), "空文件"),
    ],
)
async def test_a_refused_file_refuses_the_form_with_nothing_stored(
    form: Form, files: tuple[tuple[str, bytes], ...], message: str
) -> None:
    before = await stored()
    response = await form.post(GOOD, files=files)
    assert response.status == 400
    html = await response.text()
    assert message in html
    assert "附件没有保存，请改正后重新选择附件" in html
    assert GOOD["applicant"] in html  # the values are kept
    assert await stored() == before
    assert files_on_disk(form.world.resources) == []


async def test_every_value_is_shown_escaped(form: Form) -> None:
    attack = '"><script>alert(1)</script>'
    response = await form.post(
        {**GOOD, "applicant": attack, "phone": attack, "reason": "</textarea>" + attack}
    )
    html = await response.text()
    assert "<script>alert(1)</script>" not in html and "</textarea><script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


async def test_a_signed_out_post_is_refused_before_anything_is_read(resources: Resources) -> None:
    await make_world(resources)
    app = build_app(resources.settings, resources=resources)
    async with TestClient(TestServer(app)) as client:
        response = await client.post("/m/new", data=b"x" * 100, headers=HTML)
        assert response.status == 401
        assert "请先登录" in await response.text()


async def test_the_chat_command_and_the_page_say_the_same_about_the_same_mistake(form: Form) -> None:
    chat = await form.world.say(
        "zhangwei", "说不\n服务对象：张三\n联系电话：12345\n事项：许可\n拟说不理由：材料不全\n清单编号：NO-99"
    )
    assert not chat.ok
    page = await (await form.post({**GOOD, "phone": "12345", "catalog_code": "NO-99"})).text()
    for message in ("联系电话“12345”格式不对，请填写11位手机号或带区号的固定电话（如 0377-8123456）",
                    "清单编号“NO-99”不存在"):  # fmt: skip
        assert message in chat.message and message in page


async def test_a_form_that_loses_its_race_every_time_says_try_again_and_stores_nothing(
    form: Form, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def always_loses(*_args: object) -> object:
        raise ConcurrentChange("TJ")

    monkeypatch.setattr(new_page, "submit_matter", always_loses)
    before = await stored()
    response = await form.post(GOOD, files=(("a.jpg", JPEG),))
    assert response.status == 409
    text = await response.text()
    assert "系统繁忙，请稍后再试一次" in text and "桐柏县宏达运输有限公司" in text  # the values stay
    assert await stored() == before
    assert files_on_disk(form.world.resources) == []
