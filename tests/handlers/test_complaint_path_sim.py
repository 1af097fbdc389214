"""The complaint's whole path through the real product (web app, router, outbox, the real arq
worker): the office registers a complaint with its material in the console and 交办 it to a
section → the section head's complaint card arrives in the simulator → 签收 → 申请延期 (the office
group told) → the office grants it in the console → 办结 with the feedback as the next message →
the ledger shows it all, and the head opens the material from their phone."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.clock import SimClock
from bot.settings import Settings
from models.attachments import Attachment
from models.complaints import Complaint, ComplaintEvent, ComplaintState
from models.enums import GroupKind
from models.messaging import OutboxMessage, OutboxStatus
from models.org import Department, GroupChannel, Person, Role
from tests.handlers.test_flow_sim import click, inbox, say
from tests.handlers.web.pages.test_new import JPEG
from tests.support.stack import Stack, running_stack

pytestmark = pytest.mark.timeout(180)
HTML = {"Accept": "text/html"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture
async def stack(settings: Settings, clock: SimClock, db: None) -> AsyncIterator[Stack]:
    async with running_stack(settings, clock) as s:
        await s.import_org()
        yield s


async def _open_as(stack: Stack, handle: str) -> None:
    response = await stack.client.get(f"/sim/open-as/{handle}", allow_redirects=False)
    assert response.status == 302, await response.text()


async def _csrf(stack: Stack, path: str) -> str:
    found = CSRF.search(await (await stack.client.get(path, headers=HTML)).text())
    assert found, path
    return found.group(1)


async def _head_card(stack: Stack, handle: str) -> dict[str, object]:
    cards = [i["card"] for i in await inbox(stack, handle) if i["kind"] == "card"]
    assert cards, f"{handle} got no card"
    card: dict[str, object] = cards[-1]
    return card


async def test_register_assign_sign_extend_finish_through_the_worker(stack: Stack) -> None:
    office = next((p for p in await Person.all().order_by("id") if p.has_role(Role.OFFICE)), None)
    department = await Department.filter(head_id__isnull=False).order_by("id").first()
    assert office is not None and department is not None and department.head_id is not None
    head = await Person.get(id=department.head_id)
    await _open_as(stack, office.handle)

    data = aiohttp.FormData()
    fields = {"csrf": await _csrf(stack, "/admin/complaints"), "channel": "phone", "complainant": "刘先生",
              "phone": "13800000000", "content": "办理道路运输证被口头告知不能办", "department": str(department.id),
              "days": "5"}  # fmt: skip
    for name, value in fields.items():
        data.add_field(name, value)
    data.add_field("files", io.BytesIO(JPEG), filename="现场照片.jpg", content_type="image/jpeg")
    response = await stack.client.post("/admin/complaints", data=data, headers=HTML, allow_redirects=False)
    assert response.status == 302, await response.text()
    complaint = await Complaint.get(number=response.headers["Location"].rsplit("/", 1)[1])
    assert complaint.state is ComplaintState.ASSIGNED
    await stack.drain()

    card = await _head_card(stack, head.handle)
    assert complaint.number in str(card["title"]) and card["status"] == "已交办"
    keys = {b["text"]: b["key"] for b in card["buttons"]}  # type: ignore[attr-defined]
    assert list(keys) == ["签收", "办结", "申请延期"]
    materials_page = f"/m/complaints/{complaint.number}"
    assert [link["label"] for link in card["links"]] == ["查看投诉详情和材料"]  # type: ignore[attr-defined]
    assert materials_page in str(card["links"][0]["url"])  # type: ignore[index]
    assert (await click(stack, head.handle, str(card["ref"]), keys["签收"]))["ok"]
    assert (await _head_card(stack, head.handle))["status"] == "已签收"

    assert (await click(stack, head.handle, str(card["ref"]), keys["申请延期"]))["ok"]
    await say(stack, head.handle, "需要到两处站点现场核查")
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.EXTENSION_REQUESTED
    offices = {g.id for g in await GroupChannel.filter(kind=GroupKind.OFFICE)}
    told = await OutboxMessage.filter(dedupe_key__contains=":extension:", group_id__in=list(offices))
    assert told and {m.status for m in told} == {OutboxStatus.SENT}  # delivered by the worker

    path = f"/admin/complaints/{complaint.number}"
    granted = await stack.client.post(f"{path}/extension", data={"csrf": await _csrf(stack, path), "decision": "grant",
                                                                 "days": "3"}, allow_redirects=False)  # fmt: skip
    assert granted.status == 302, await granted.text()
    await stack.drain()
    assert (await Complaint.get(id=complaint.id)).state is ComplaintState.SIGNED

    assert (await click(stack, head.handle, str(card["ref"]), keys["办结"]))["ok"]
    await say(stack, head.handle, "已为企业补办，电话告知投诉人")
    done = await Complaint.get(id=complaint.id)
    assert (done.state, done.feedback) == (ComplaintState.DONE, "已为企业补办，电话告知投诉人")
    assert (await _head_card(stack, head.handle))["closed"]
    whats = [e.what for e in await ComplaintEvent.filter(complaint_id=complaint.id).order_by("id")]
    assert whats == ["register", "attach", "assign", "sign", "request_extension", "grant_extension", "finish"]
    ledger = await (await stack.client.get(path, headers=HTML)).text()
    assert "已办结" in ledger and "现场照片.jpg" in ledger and "已为企业补办" in ledger

    material = await Attachment.get(complaint_id=complaint.id)
    await _open_as(stack, head.handle)
    listed = await stack.client.get(materials_page, headers=HTML)
    assert listed.status == 200 and "现场照片.jpg" in await listed.text()
    opened = await stack.client.get(f"/m/attachments/{material.id}", headers=HTML)
    assert opened.status == 200 and await opened.read() == JPEG
